"""The stack's sign-in keys: the access tokens' audience, lifetimes and signing keys, the limits.

All optional, with the defaults the issue fixes; `infra/stack/schema.py` reads them
through `parse_token_config` and refuses bad values by key name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Protocol, TypeVar

from contract.bounds import (
    DEFAULT_REFRESH_TOKEN_SECONDS,
    MAX_ACCESS_TOKEN_SECONDS,
    MAX_REFRESH_TOKEN_SECONDS,
)
from contract.limits import RateLimit

TOKEN_KEY_TYPES: Final[dict[str, type]] = {
    "tokenAudience": str,
    "accessTokenSeconds": int,
    "refreshTokenSeconds": int,
    "rateLimitSignInFailures": str,
    "rateLimitSignInFailuresGlobal": str,
    "tokenSigningKeys": list,
}
_AUDIENCE: Final = re.compile(r"^[a-z0-9][a-z0-9._:-]{0,99}$")
_MIN_ACCESS_SECONDS: Final = 60
_MAX_GENERATION: Final = 999
_T = TypeVar("_T")


class Read(Protocol):
    """Reads one optional key as its YAML type (None when unset); raises for a wrong type."""

    def __call__(self, key: str, kind: type[_T]) -> _T | None:
        """The value of `key`, or None."""


class TokenConfigError(ValueError):
    """A sign-in key has an unusable value (the message starts with the key)."""


@dataclass(frozen=True)
class TokenConfig:
    """Signing in: who the access tokens are for, how long they and sessions live, the limits."""

    audience: str
    access_token_seconds: int
    refresh_token_seconds: int
    rate_limit_sign_in_failures: RateLimit
    rate_limit_sign_in_failures_global: RateLimit
    # Key generations, the signing one first; a second one is only published
    # (SECURITY.md, "Rotating the signing key").
    signing_keys: tuple[int, ...] = (1,)


def parse_token_config(read: Read, stage: str) -> TokenConfig:
    """The sign-in keys of a stack, defaults filled in; TokenConfigError names a bad key."""
    audience = _or(read("tokenAudience", str), f"signup-{stage}")
    _check(bool(_AUDIENCE.match(audience)), "tokenAudience", f"{audience!r} is not a slug")
    access = _or(read("accessTokenSeconds", int), MAX_ACCESS_TOKEN_SECONDS)
    _check(
        _MIN_ACCESS_SECONDS <= access <= MAX_ACCESS_TOKEN_SECONDS,
        "accessTokenSeconds",
        f"{access} is outside 60..{MAX_ACCESS_TOKEN_SECONDS} (tokens cannot be revoked)",
    )
    refresh = _or(read("refreshTokenSeconds", int), DEFAULT_REFRESH_TOKEN_SECONDS)
    _check(
        access <= refresh <= MAX_REFRESH_TOKEN_SECONDS,
        "refreshTokenSeconds",
        f"{refresh} is outside accessTokenSeconds..{MAX_REFRESH_TOKEN_SECONDS}",
    )
    return TokenConfig(
        audience=audience,
        access_token_seconds=access,
        refresh_token_seconds=refresh,
        rate_limit_sign_in_failures=_limit(read, "rateLimitSignInFailures", "5/900"),
        rate_limit_sign_in_failures_global=_limit(
            read, "rateLimitSignInFailuresGlobal", "100/3600"
        ),
        signing_keys=_generations(read),
    )


def _generations(read: Read) -> tuple[int, ...]:
    value: list[object] = _or(read("tokenSigningKeys", list), [1])
    ok = (
        1 <= len(value) <= 2
        and all(isinstance(n, int) and type(n) is int and 1 <= n <= _MAX_GENERATION for n in value)
        and len(set(value)) == len(value)
    )
    _check(ok, "tokenSigningKeys", "must be one or two distinct generations, e.g. [2, 1]")
    return tuple(n for n in value if isinstance(n, int))


def _limit(read: Read, key: str, default: str) -> RateLimit:
    try:
        limit = RateLimit.parse(_or(read(key, str), default))
    except ValueError as exc:
        raise TokenConfigError(f"{key}: {exc}") from exc
    _check(limit.seconds <= 86400, key, "the window is at most a day (86400 seconds)")
    return limit


def _or(value: _T | None, default: _T) -> _T:
    return default if value is None else value


def _check(ok: bool, key: str, message: str) -> None:
    if not ok:
        raise TokenConfigError(f"{key}: {message}")
