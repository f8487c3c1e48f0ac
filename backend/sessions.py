"""Sessions after sign-in: refresh-token rotation with reuse detection, sign-out, and `GET /me`.

A refresh token is one use only. Presenting it again means two parties hold
it (the owner and a thief, in either order), so its whole family ends: the
newest token as well, which makes whoever holds it sign in again.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from backend.access_tokens import TOKEN_TYPE, AccessTokens, Subject
from backend.email_verification import VerifiedUser
from backend.errors import ClaimChanged, NotAuthenticated, RefreshTokenInvalid
from backend.hashing import PasswordHasher
from backend.store.sessions import DynamoDBSessionStore, NewSession, RefreshRecord
from backend.store.sign_in_limits import SignInLimits
from contract.rules.session import validate_refresh_request
from contract.tokens import TOKEN_BYTES, is_token_shaped, token_digest

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Sessions:
    """What signing in and sessions need besides the request, built once per container."""

    hasher: PasswordHasher
    store: DynamoDBSessionStore
    tokens: AccessTokens
    refresh_seconds: int
    # None when limits are turned off (benchmarks only).
    limits: SignInLimits | None
    # A hash of nothing anyone knows, at the stage's cost: an unknown login is
    # checked against it, so it costs the same bcrypt as a known one.
    dummy_hash: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class TokenPair:
    """The 200 answer of a sign-in or a refresh."""

    access_token: str = field(repr=False)
    expires_in: int = 0
    refresh_token: str = field(default="", repr=False)

    def to_json(self) -> dict[str, Any]:
        """The response body."""
        return {
            "accessToken": self.access_token,
            "tokenType": TOKEN_TYPE,
            "expiresIn": self.expires_in,
            "refreshToken": self.refresh_token,
        }


def new_refresh_token() -> str:
    """256 random bits, shaped like every token of this service (43 URL-safe characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def issue_tokens(
    sessions: Sessions,
    subject: Subject,
    *,
    now: int,
    family_id: str,
    valid_until: int,
    epoch: int = 0,
    make_token: Callable[[], str] = new_refresh_token,
) -> tuple[TokenPair, NewSession]:
    """An access token and a refresh token of `family_id`; the caller stores the latter."""
    refresh = make_token()
    access = sessions.tokens.issue(subject, now=now)
    stored = NewSession(token_digest(refresh), family_id, subject.user_id, valid_until, epoch)
    return TokenPair(access, sessions.tokens.lifetime_seconds, refresh), stored


def refresh_session(
    payload: Mapping[str, object], sessions: Sessions, *, clock: Clock = time.time
) -> TokenPair:
    """A new access token and the family's next refresh token; RefreshTokenInvalid otherwise."""
    now = int(clock())
    record = _live_record(validate_refresh_request(payload), sessions, now)
    if record.used or not record.current:
        # A token used before: stolen, or replayed by its owner after a thief
        # rotated it. Either way the family ends, the newest token with it.
        sessions.store.revoke(record.family_id, now=now)
        raise RefreshTokenInvalid("reused")
    user = sessions.store.credentials(record.user_id)
    if user is None or not user.verified:
        raise RefreshTokenInvalid("the user is gone")
    if record.epoch != user.session_epoch:
        # The password was reset after this session began: it ends with the old password.
        sessions.store.revoke(record.family_id, now=now)
        raise RefreshTokenInvalid("the password changed")
    subject = Subject(user.user_id, user.username, user.email)
    pair, successor = issue_tokens(
        sessions, subject, now=now, family_id=record.family_id, valid_until=record.valid_until
    )
    try:
        sessions.store.rotate(record, successor, now=now)
    except ClaimChanged as exc:
        # A racing request rotated (or revoked) it first: one of the two is a replay.
        sessions.store.revoke(record.family_id, now=now)
        raise RefreshTokenInvalid("raced") from exc
    return pair


def sign_out(
    payload: Mapping[str, object], sessions: Sessions, *, clock: Clock = time.time
) -> None:
    """End the token's family; an unknown or already ended one is signed out already."""
    token = validate_refresh_request(payload)
    if not is_token_shaped(token):
        return
    record = sessions.store.refresh_token(token_digest(token))
    if record is not None and not record.revoked:
        sessions.store.revoke(record.family_id, now=int(clock()))


def current_user(claims: Mapping[str, Any] | None, sessions: Sessions) -> VerifiedUser:
    """The profile of the verified token's subject; NotAuthenticated when there is none."""
    subject = str((claims or {}).get("sub") or "")
    user = sessions.store.credentials(subject) if subject else None
    if user is None or not user.verified:
        raise NotAuthenticated("no such user")
    return VerifiedUser(
        user.user_id, user.username, user.email, user.created_at, user.verified_at or ""
    )


def new_family_id() -> str:
    """A fresh family (session) id."""
    return str(uuid.uuid4())


def _live_record(token: str, sessions: Sessions, now: int) -> RefreshRecord:
    if not is_token_shaped(token):
        raise RefreshTokenInvalid("malformed")
    record = sessions.store.refresh_token(token_digest(token))
    if record is None or record.revoked or now >= record.valid_until:
        raise RefreshTokenInvalid("unknown, revoked or expired")
    return record
