"""Password hashing: bcrypt over base64(HMAC-SHA384(pepper, password))."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Final

import bcrypt

from contract.rules import normalize_password

# Stored in front of every hash so that a later scheme, cost or pepper can be
# introduced and old hashes still recognised (and upgraded at next login).
SCHEME: Final = "hmac-sha384-bcrypt-v1"
MIN_PEPPER_BYTES: Final = 32


class PasswordHasher:
    """Hashes and verifies passwords with a secret pepper; its repr never shows the pepper."""

    __slots__ = ("_cost", "_pepper")

    def __init__(self, pepper: bytes, *, cost: int = 12) -> None:
        if len(pepper) < MIN_PEPPER_BYTES:
            raise ValueError(f"the pepper must be at least {MIN_PEPPER_BYTES} bytes")
        if not 4 <= cost <= 31:
            raise ValueError("bcrypt cost must be between 4 and 31")
        self._pepper = pepper
        self._cost = cost

    def __repr__(self) -> str:
        return f"PasswordHasher(scheme={SCHEME!r}, cost={self._cost})"

    def _prehash(self, password: str) -> bytes:
        # The HMAC output base64-encodes to 64 bytes, so every allowed password
        # (128 characters, up to 512 UTF-8 bytes) fits bcrypt's 72-byte input
        # whole: nothing is truncated, and bcrypt never raises on length. The
        # pepper means a stolen table alone cannot be cracked offline.
        digest = hmac.new(
            self._pepper, normalize_password(password).encode("utf-8"), hashlib.sha384
        ).digest()
        return base64.b64encode(digest)

    def hash(self, password: str) -> str:
        """The stored form: `<scheme>$<bcrypt hash with its cost and salt>`."""
        hashed = bcrypt.hashpw(self._prehash(password), bcrypt.gensalt(rounds=self._cost))
        return f"{SCHEME}${hashed.decode('ascii')}"

    def verify(self, password: str, stored: str) -> bool:
        """True when `password` matches a hash made by this scheme and pepper."""
        scheme, _, hashed = stored.partition("$")
        if scheme != SCHEME or not hashed:
            return False
        return bcrypt.checkpw(self._prehash(password), hashed.encode("ascii"))

    def is_hash(self, stored: str) -> bool:
        """True when `stored` is a hash of this scheme (one `verify` would run bcrypt on)."""
        scheme, _, hashed = stored.partition("$")
        return scheme == SCHEME and hashed.startswith("$2")

    def needs_rehash(self, stored: str) -> bool:
        """True when `stored` was made at a lower cost than this stage's (or another scheme)."""
        scheme, _, hashed = stored.partition("$")
        # A bcrypt hash reads `$2b$<cost>$<salt and digest>`.
        parts = hashed.split("$")
        if scheme != SCHEME or len(parts) < 4 or not parts[2].isdigit():
            return True
        return int(parts[2]) < self._cost
