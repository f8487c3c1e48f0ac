"""Signing up: validate, hash, then one transaction that claims the identity and queues the mail.

Nothing a sign-up answers, writes or takes time for tells whether the address
was new, pending or verified. Every path reads the same two claims in one
request, hashes the password, and writes one transaction of the same number
of items that also queues one mail (a link; for a verified address, a notice
to its owner). For a verified address the transaction claims the username
until the same expiry for a profile nobody can verify (a decoy), so the
username is then taken exactly as after any other sign-up. The mail itself
is sent by the mail worker, off the request path (backend/mail_worker.py).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final, Protocol, TypeVar

from backend.client_address import current_client
from backend.errors import ClaimChanged, StoreUnavailable
from backend.hashing import PasswordHasher
from backend.records import LINK_MAIL, NOTICE_MAIL, Claims, NewUser, OutboxItem, TokenRecord
from contract.rules import PasswordPolicy, ValidSignup, validate_signup
from contract.tokens import link_token, new_nonce, new_token, token_digest

if TYPE_CHECKING:
    from backend.store import DynamoDBUserStore

# Reads and conditional writes are repeated when a racing request changed a
# claim in between; each attempt re-reads, so a few always settle it.
ATTEMPTS: Final = 4
Clock = Callable[[], float]
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class PendingSignup:
    """The 200 answer to a sign-up, the same whatever the address's state."""

    username: str
    email: str
    expires: int

    def to_json(self) -> dict[str, str]:
        """The response body: no user id, nothing that differs between the paths."""
        return {
            "username": self.username,
            "email": self.email,
            "status": "pending_verification",
            "expiresAt": iso_seconds(self.expires),
        }


class Throttle(Protocol):
    """Per-identifier rate limits, checked after the rules and before any hash."""

    def check(self, attempts: Sequence[tuple[str, str]], then: Callable[[], _T]) -> _T:
        """Count each (kind, key) attempt ("email", "username") while `then()` reads; return
        what it read, or raise RateLimited when any is over its limit."""


class NoThrottle:
    """No per-identifier limits (limits turned off)."""

    def check(self, attempts: Sequence[tuple[str, str]], then: Callable[[], _T]) -> _T:
        """Count nothing; just read."""
        return then()


@dataclass(frozen=True, slots=True)
class Registration:
    """What the sign-up flow (sign up, verify, resend) needs besides the request."""

    policy: PasswordPolicy
    hasher: PasswordHasher
    store: DynamoDBUserStore
    # Links' tokens are derived under this key (contract.tokens.link_key).
    link_key: bytes = field(repr=False)
    link_seconds: int
    throttle: Throttle = field(default_factory=NoThrottle)


def iso_seconds(epoch: int) -> str:
    """Epoch seconds as ISO 8601 UTC with a `Z`."""
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


def iso_millis(epoch: float) -> str:
    """Epoch seconds as ISO 8601 UTC with milliseconds and a `Z`."""
    stamp = datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")


def register_user(
    payload: Mapping[str, object],
    registration: Registration,
    *,
    clock: Clock = time.time,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    make_nonce: Callable[[], str] = new_nonce,
) -> PendingSignup:
    """Claim the identity as pending and queue its link, or the owner's notice (see module)."""
    signup = validate_signup(payload, policy=registration.policy)
    store = registration.store

    def read_claims() -> Claims:
        return store.claims(username_key=signup.username_key, email_key=signup.email_key)

    # Counted before the hash, so a flood costs none; the counters are written
    # while the claims are read, so they add no round trip.
    attempts = [("email", signup.email_key), ("username", signup.username_key)]
    claims = registration.throttle.check(attempts, read_claims)
    password_hash = registration.hasher.hash(signup.password)
    for attempt in range(ATTEMPTS):
        now = clock()
        if attempt:
            claims = read_claims()
        user = _new_user(signup, new_id(), password_hash, now)
        nonce = make_nonce()
        expires = int(now) + registration.link_seconds
        owner = claims.email if claims.email is not None and claims.email.verified else None
        # The owner's notice carries no link: its "token" is random and never kept.
        token = new_token() if owner else link_token(registration.link_key, nonce)
        record = TokenRecord(token_digest(token), user.user_id, valid_until=expires)
        mail = OutboxItem(
            outbox_id=new_id(),
            kind=NOTICE_MAIL if owner else LINK_MAIL,
            to=signup.email,
            email_key=signup.email_key,
            valid_until=expires,
            client=current_client(),
            signed_up_at=user.created_at,
            username="" if owner else signup.username,
            nonce="" if owner else nonce,
        )
        try:
            if owner is not None:
                store.add_decoy(user, token=record, mail=mail, now=int(now), owner=owner)
            else:
                store.add_pending(
                    user, token=record, mail=mail, now=int(now), replacing=claims.email
                )
        except ClaimChanged:
            continue  # a racing request moved a claim: read again and decide again
        return PendingSignup(signup.username, signup.email, expires)
    raise StoreUnavailable("the claims kept changing under concurrent sign-ups")


def _new_user(signup: ValidSignup, user_id: str, password_hash: str, now: float) -> NewUser:
    return NewUser(
        user_id=user_id,
        username=signup.username,
        username_key=signup.username_key,
        email=signup.email,
        email_key=signup.email_key,
        created_at=iso_millis(now),
        password_hash=password_hash,
    )


def as_utc(now: float) -> datetime:
    """Epoch seconds as an aware UTC datetime."""
    return datetime.fromtimestamp(now, UTC)
