"""The web app's configuration, read once from the environment at the edge.

Everything but `API_URL` is compiled into the pages (titles, headings, the
next step's link) when `reflex run` or `reflex export` builds the frontend, so
a stage sets these where it builds the web app, not only where it runs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Final

from backend.config import DEFAULT_MAIL_FROM, PASSWORD_MIN_LENGTH
from backend.rules import DEFAULT_MIN_LENGTH, PasswordPolicy

# The local stage's default address (`python -m infra.local`).
DEFAULT_API_URL: Final = "http://127.0.0.1:8080"
API_URL: Final = "API_URL"
PRODUCT_NAME: Final = "PRODUCT_NAME"
NEXT_STEP_URL: Final = "NEXT_STEP_URL"
NEXT_STEP_LABEL: Final = "NEXT_STEP_LABEL"
# The name the mails use by default (the sender's display name), so a stage
# that sets neither still calls itself one thing.
DEFAULT_PRODUCT_NAME: Final = parseaddr(DEFAULT_MAIL_FROM)[0]
# Where a verified person goes next; a stage with an app points this at its sign-in page.
DEFAULT_NEXT_STEP_URL: Final = "/"
DEFAULT_NEXT_STEP_LABEL: Final = "Continue"


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

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WebSettings:
        """`API_URL`, `PASSWORD_MIN_LENGTH`, `PRODUCT_NAME`, `NEXT_STEP_URL`, `NEXT_STEP_LABEL`."""
        api_url = _text(env, API_URL) or DEFAULT_API_URL
        # The same variable the Lambda reads, so the form and the API agree.
        policy = PasswordPolicy(min_length=int(env.get(PASSWORD_MIN_LENGTH) or DEFAULT_MIN_LENGTH))
        next_step = NextStep(
            label=_text(env, NEXT_STEP_LABEL) or DEFAULT_NEXT_STEP_LABEL,
            url=_link(_text(env, NEXT_STEP_URL) or DEFAULT_NEXT_STEP_URL),
        )
        return cls(
            api_url=api_url.rstrip("/"),
            policy=policy,
            product_name=_text(env, PRODUCT_NAME) or DEFAULT_PRODUCT_NAME,
            next_step=next_step,
        )


def _text(env: Mapping[str, str], name: str) -> str:
    return env.get(name, "").strip()


def _link(url: str) -> str:
    # Rendered as an href: anything but a path or an http(s) URL (javascript:,
    # data:) would run in the page's origin.
    if url.startswith("/") and not url.startswith("//"):
        return url
    if url.startswith(("https://", "http://")):
        return url
    raise ValueError(f"{NEXT_STEP_URL} must be a path (/...) or an http(s) URL, got {url!r}")
