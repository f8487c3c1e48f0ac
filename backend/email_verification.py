"""Proving an address: the link's token and the sign-up's password confirm it; a new link can be
asked for.

Whoever confirms must type the password the sign-up chose, so a stranger who
signed up again with someone's address can never have its owner confirm the
stranger's account. Five wrong passwords spend a link. A second use of a link
that worked answers like the first (a double click is not an error).

Asking for a new link answers the same 202 and does the same work whatever
the address's state: it only queues the request for the mail worker, which
decides off the request path whether to mail (backend/mail_worker.py).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from backend.client_address import current_client
from backend.errors import (
    ClaimChanged,
    PasswordMismatch,
    StoreUnavailable,
    TokenExpired,
    TokenInvalid,
)
from backend.records import RESEND_REQUEST, OutboxItem, StoredUser, TokenRecord
from backend.sign_up import ATTEMPTS, Clock, Registration, iso_millis
from contract.bounds import RESEND_COOLDOWN_SECONDS
from contract.rules import validate_resend_request, validate_token_request
from contract.tokens import token_digest

# Wrong passwords a link survives; the next request finds it spent.
PASSWORD_ATTEMPTS: Final = 5
# A resend request is decided within this long, or dropped by TTL.
RESEND_REQUEST_SECONDS: Final = RESEND_COOLDOWN_SECONDS * 60


@dataclass(frozen=True, slots=True)
class VerifiedUser:
    """The 200 answer to a verification."""

    user_id: str
    username: str
    email: str
    created_at: str
    verified_at: str
    # True only for the request that verified the address: the EmailVerified
    # metric counts people, and a second click on a used link is no new one.
    just_verified: bool = False

    @classmethod
    def of(cls, user: StoredUser) -> VerifiedUser:
        """The public view of a verified user (never its hash)."""
        return cls(user.user_id, user.username, user.email, user.created_at, user.verified_at or "")

    def to_json(self) -> dict[str, str]:
        """The response body."""
        return {
            "userId": self.user_id,
            "username": self.username,
            "email": self.email,
            "createdAt": self.created_at,
            "verifiedAt": self.verified_at,
        }


def verify_email(
    payload: Mapping[str, object], registration: Registration, *, clock: Clock = time.time
) -> VerifiedUser:
    """Verify the user behind the link's token if the password is the sign-up's, or raise
    TokenInvalid / TokenExpired / PasswordMismatch."""
    confirmation = validate_token_request(payload)
    digest = token_digest(confirmation.token)
    store = registration.store
    for _ in range(ATTEMPTS):
        now = clock()
        record = store.token(digest)
        if record is None:
            raise TokenInvalid("no such link")
        if now >= record.valid_until:
            raise TokenExpired("the link's time is up")
        user = store.user(record.user_id)
        if user is None:
            raise TokenInvalid("the sign-up behind the link is gone")
        if user.verified and record.used is None:
            raise TokenInvalid("verified by another link")
        if not user.verified and user.token_digest != digest:
            raise TokenInvalid("a newer link replaced this one")
        _check_password(registration, record, user, confirmation.password)
        if user.verified:
            return VerifiedUser.of(user)  # the same link again: the same answer
        at = iso_millis(now)
        try:
            store.verify(user, token=record, verified_at=at, now=int(now))
        except ClaimChanged:
            continue  # verified by a racing click, or re-sent: read again
        return VerifiedUser(
            user.user_id, user.username, user.email, user.created_at, at, just_verified=True
        )
    raise StoreUnavailable("the link kept changing under concurrent requests")


def _check_password(
    registration: Registration, record: TokenRecord, user: StoredUser, password: str
) -> None:
    # The attempt is counted before bcrypt runs and given back when the
    # password was right: racing requests get no more than the limit between them.
    registration.store.reserve_attempt(record.digest, limit=PASSWORD_ATTEMPTS)
    if not registration.hasher.verify(password, user.password_hash):
        raise PasswordMismatch("not the password this sign-up chose")
    registration.store.release_attempt(record.digest)


@dataclass(frozen=True, slots=True)
class ResendOutcome:
    """What a resend did; only the metrics see it, the answer is always the same 202."""

    queued: bool = True


def resend_verification(
    payload: Mapping[str, object],
    registration: Registration,
    *,
    clock: Clock = time.time,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> ResendOutcome:
    """Queue the request for the mail worker, whatever the address's state (see module)."""
    address = validate_resend_request(payload)
    registration.throttle.check([("email", address.email_key)], lambda: None)
    now = clock()
    request = OutboxItem(
        outbox_id=new_id(),
        kind=RESEND_REQUEST,
        to=address.email,
        email_key=address.email_key,
        valid_until=int(now) + RESEND_REQUEST_SECONDS,
        client=current_client(),
    )
    registration.store.queue(request)
    return ResendOutcome()
