"""The web app's configuration, read once from the environment at the edge."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from backend.config import PASSWORD_MIN_LENGTH
from backend.rules import DEFAULT_MIN_LENGTH, PasswordPolicy

# The local stage's default address (`python -m infra.local`).
DEFAULT_API_URL: Final = "http://127.0.0.1:8080"


@dataclass(frozen=True, slots=True)
class WebSettings:
    """Where the API lives and the password policy the form checks before sending."""

    api_url: str
    policy: PasswordPolicy

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WebSettings:
        """`API_URL` (a stack's `apiUrl` output) and the stage's `PASSWORD_MIN_LENGTH`."""
        api_url = env.get("API_URL", "").strip() or DEFAULT_API_URL
        # The same variable the Lambda reads, so the form and the API agree.
        policy = PasswordPolicy(min_length=int(env.get(PASSWORD_MIN_LENGTH) or DEFAULT_MIN_LENGTH))
        return cls(api_url=api_url.rstrip("/"), policy=policy)
