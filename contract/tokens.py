"""Verification tokens: random, stored only as digests, recognisable by their shape."""

from __future__ import annotations

import base64
import hashlib
import hmac
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


def new_nonce() -> str:
    """A fresh random value a link's token is derived from (stored; useless without the pepper)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def link_key(pepper: bytes) -> bytes:
    """The key links are derived under: from the pepper, but never the pepper itself."""
    return hmac.new(pepper, b"signup verification link v1", hashlib.sha256).digest()


def link_token(key: bytes, nonce: str) -> str:
    """The token in a link: HMAC-SHA256(key, nonce), shaped as `new_token`'s (43 characters).

    The outbox item (and so the table's stream) carries only the nonce; the
    table keeps only the token's digest; neither opens an account without the
    pepper that `key` comes from.
    """
    mac = hmac.new(key, nonce.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def token_digest(token: str) -> str:
    """What the table keeps instead of the token: a leaked table holds no working link."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def is_token_shaped(text: str) -> bool:
    """True when `text` could be a token this service issued."""
    return TOKEN_PATTERN.fullmatch(text) is not None
