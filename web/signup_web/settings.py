"""The web app's configuration, read once from the environment at the edge.

The wording (product name, the next step's link) and the password minimum are
compiled into the pages when `reflex run` or `reflex export` builds the
frontend, so a stage sets those where it builds the web app, not only where
it runs it. `API_URL`, `API_TIMEOUT_SECONDS` and `CLIENT_ADDRESS_SECRET` are
read where the server runs; the secret never reaches a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Final

from contract.environment import (
    API_TIMEOUT_SECONDS,
    API_URL,
    CLIENT_ADDRESS_SECRET,
    DEFAULT_MAIL_FROM,
    NEXT_STEP_LABEL,
    NEXT_STEP_URL,
    PASSWORD_MIN_LENGTH,
    PRODUCT_NAME,
)
from contract.routes import SIGN_IN_PAGE
from contract.rules import DEFAULT_MIN_LENGTH, PasswordPolicy

# The local stage's default address (`python -m infra.local`).
DEFAULT_API_URL: Final = "http://127.0.0.1:8080"
DEFAULT_API_TIMEOUT_SECONDS: Final = 15.0
# API Gateway's own limit for an HTTP API's integration: waiting longer is pointless.
MAX_API_TIMEOUT_SECONDS: Final = 30.0
# The name the mails use by default (the sender's display name), so a stage
# that sets neither still calls itself one thing.
DEFAULT_PRODUCT_NAME: Final = parseaddr(DEFAULT_MAIL_FROM)[0]
# Where a verified person goes next when signing in after confirming did not
# work: this app's sign-in page, or a stage's own app.
DEFAULT_NEXT_STEP_URL: Final = SIGN_IN_PAGE
DEFAULT_NEXT_STEP_LABEL: Final = "Sign in"


@dataclass(frozen=True, slots=True)
class NextStep:
    """The link a verified person is offered: a label and where it leads."""

    label: str
    url: str


@dataclass(frozen=True, slots=True)
class WebSettings:
    """Where the API lives, the password policy the form checks, and the stage's wording."""

    api_url: str
    policy: PasswordPolicy
    product_name: str = DEFAULT_PRODUCT_NAME
    next_step: NextStep = NextStep(DEFAULT_NEXT_STEP_LABEL, DEFAULT_NEXT_STEP_URL)
    api_timeout_seconds: float = DEFAULT_API_TIMEOUT_SECONDS
    # The stage's secret that makes the API believe the browser address this
    # server forwards (backend/client_address.py); empty: none is forwarded.
    client_address_secret: str = field(default="", repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WebSettings:
        """`API_URL`, `PASSWORD_MIN_LENGTH`, `PRODUCT_NAME`, `NEXT_STEP_URL`, `NEXT_STEP_LABEL`,
        `API_TIMEOUT_SECONDS`, `CLIENT_ADDRESS_SECRET`."""
        api_url = _text(env, API_URL) or DEFAULT_API_URL
        # The same variable the Lambda reads, so the form and the API agree.
        policy = PasswordPolicy(min_length=int(env.get(PASSWORD_MIN_LENGTH) or DEFAULT_MIN_LENGTH))
        next_step = NextStep(
            label=_text(env, NEXT_STEP_LABEL) or DEFAULT_NEXT_STEP_LABEL,
            url=safe_link(_text(env, NEXT_STEP_URL) or DEFAULT_NEXT_STEP_URL),
        )
        return cls(
            api_url=api_url.rstrip("/"),
            policy=policy,
            product_name=_text(env, PRODUCT_NAME) or DEFAULT_PRODUCT_NAME,
            next_step=next_step,
            api_timeout_seconds=_seconds(env, API_TIMEOUT_SECONDS, DEFAULT_API_TIMEOUT_SECONDS),
            client_address_secret=_current_secret(_text(env, CLIENT_ADDRESS_SECRET)),
        )

    def to_env(self) -> dict[str, str]:
        """The environment `from_env` reads back as these settings: the only writer of it.

        Pulumi's task definition and export, the local launcher and the hosted
        proof all hand the page its settings through this.
        """
        env = {
            API_URL: self.api_url,
            PASSWORD_MIN_LENGTH: str(self.policy.min_length),
            PRODUCT_NAME: self.product_name,
            NEXT_STEP_LABEL: self.next_step.label,
            NEXT_STEP_URL: self.next_step.url,
            API_TIMEOUT_SECONDS: f"{self.api_timeout_seconds:g}",
        }
        if self.client_address_secret:
            env[CLIENT_ADDRESS_SECRET] = self.client_address_secret
        return env


def _text(env: Mapping[str, str], name: str) -> str:
    return env.get(name, "").strip()


def _current_secret(value: str) -> str:
    # While the secret rotates it lists the current value first, then the
    # old ones the API still accepts (backend/client_address.py): send the first.
    return value.split(maxsplit=1)[0] if value else ""


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    text = _text(env, name)
    if not text:
        return default
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= MAX_API_TIMEOUT_SECONDS:
        raise ValueError(
            f"{name} must be seconds in (0, {MAX_API_TIMEOUT_SECONDS:g}], got {text!r}"
        )
    return seconds


def safe_link(url: str) -> str:
    """`url` if it is a path or an http(s) URL; ValueError for anything else.

    Rendered as an href: anything else (javascript:, data:) would run in the
    page's origin.
    """
    if url.startswith("/") and not url.startswith("//"):
        return url
    if url.startswith(("https://", "http://")):
        return url
    raise ValueError(f"{NEXT_STEP_URL} must be a path (/...) or an http(s) URL, got {url!r}")
