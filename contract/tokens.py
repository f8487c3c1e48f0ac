"""Verification tokens: random, stored only as digests, recognisable by their shape."""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Final

# 256 random bits, more than the 128 the contract asks for; URL-safe base64
# without padding, so a token is 43 characters that travel in a link as is.
TOKEN_BYTES: Final = 32
TOKEN_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{43}")


def new_token() -> str:
    """A fresh token for one verification link."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    """What the table keeps instead of the token: a leaked table holds no working link."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def is_token_shaped(text: str) -> bool:
    """True when `text` could be a token this service issued."""
    return TOKEN_PATTERN.fullmatch(text) is not None
