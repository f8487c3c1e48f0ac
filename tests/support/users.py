"""Valid sign-up bodies: the one builder every suite uses."""

from __future__ import annotations

import secrets

from tests.support.secrets import PASSWORDS


def signup(
    username: object = "AdaLovelace",
    email: object = "ada@example.com",
    password: object = PASSWORDS[0],
    **extra: object,
) -> dict[str, object]:
    """A valid sign-up body (Ada's), with fields overridden or added."""
    return {"username": username, "email": email, "password": password, **extra}


def new_identity(prefix: str = "t") -> str:
    """A fresh lower-case tag for a username and an email's local part."""
    return f"{prefix}{secrets.token_hex(6)}"


def unique_signup(prefix: str = "t", **overrides: str) -> dict[str, str]:
    """A valid sign-up no other test shares (for stages whose table outlives one test)."""
    tag = new_identity(prefix)
    body = {
        "username": tag,
        "email": f"{tag}@example.com",
        "password": f"correct horse battery staple {tag}",
    }
    return {**body, **overrides}
