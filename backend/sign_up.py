"""Signing up: validate, hash, claim the username and address as pending, mail a link.

An address that already belongs to a verified user gets the same answer as a
new one, writes nothing, and its owner gets a notice instead of a link: the
answer never tells who is registered. Both paths hash the password and send
one mail, so they also take about as long.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final, Protocol, TypeVar

from backend.errors import ClaimChanged, IdentityTaken, StoreUnavailable
from backend.hashing import PasswordHasher
from backend.mailer import Mailer
from backend.messages import MailContext, notice_mail, verification_mail
from backend.records import Claims, NewUser, TokenRecord, UserStore
from contract.rules import PasswordPolicy, ValidSignup, validate_signup
from contract.tokens import new_token, token_digest

# Reads and conditional writes are repeated when a racing request changed a
# claim in between; each attempt re-reads, so a few always settle it.
ATTEMPTS: Final = 4
Clock = Callable[[], float]
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class PendingSignup:
    """The 200 answer to a sign-up, the same whether or not the address had an account."""

    username: str
    email: str
    expires: int

    def to_json(self) -> dict[str, str]:
        """The response body: no user id, nothing that differs between the two paths."""
        return {
            "username": self.username,
            "email": self.email,
            "status": "pending_verification",
            "expiresAt": iso_seconds(self.expires),
        }


class Throttle(Protocol):
    """Per-identifier rate limits, checked after the rules and before any hash or mail."""

    def check(self, attempts: Sequence[tuple[str, str]], then: Callable[[], _T]) -> _T:
        """Count each (kind, key) attempt ("email", "username") while `then()` reads; return
        what it read, or raise RateLimited when any is over its limit."""


class NoThrottle:
    """No per-identifier limits (the service tests, or limits turned off)."""

    def check(self, attempts: Sequence[tuple[str, str]], then: Callable[[], _T]) -> _T:
        """Count nothing; just read."""
        return then()


@dataclass(frozen=True, slots=True)
class Registration:
    """What the sign-up flow (sign up, verify, resend) needs besides the request."""

    policy: PasswordPolicy
    hasher: PasswordHasher
    store: UserStore
    mailer: Mailer
    mail: MailContext
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
    make_token: Callable[[], str] = new_token,
) -> PendingSignup:
    """Claim the identity as pending and mail a link, or tell the address's owner (see module)."""
    signup = validate_signup(payload, policy=registration.policy)

    def read_claims() -> Claims:
        return registration.store.claims(
            username_key=signup.username_key, email_key=signup.email_key
        )

    # Counted before the hash and the mail, so a flood costs neither; the
    # counters are written while the claims are read, so they add no wait.
    attempts = [("email", signup.email_key), ("username", signup.username_key)]
    claims = registration.throttle.check(attempts, read_claims)
    # Hashed on both paths, though the taken-address path throws it away: the
    # response time must not tell the two apart.
    password_hash = registration.hasher.hash(signup.password)
    for attempt in range(ATTEMPTS):
        now = clock()
        expires = int(now) + registration.link_seconds
        if attempt:
            claims = read_claims()
        if claims.email is not None and claims.email.verified:
            _refuse_held_username(claims, int(now))
            registration.mailer.send(
                notice_mail(registration.mail, to=signup.email, now=as_utc(now))
            )
            return PendingSignup(signup.username, signup.email, expires)
        token = make_token()
        user = _new_user(signup, new_id(), password_hash, now)
        record = TokenRecord(token_digest(token), user.user_id, valid_until=expires)
        try:
            registration.store.add_pending(
                user, token=record, expires=expires, now=int(now), replacing=claims
            )
        except ClaimChanged:
            continue  # a racing request moved a claim: read again and decide again
        mail = verification_mail(
            registration.mail,
            to=signup.email,
            username=signup.username,
            token=token,
            expires=expires,
            now=as_utc(now),
        )
        registration.mailer.send(mail)
        return PendingSignup(signup.username, signup.email, expires)
    raise StoreUnavailable("the claims kept changing under concurrent sign-ups")


def _refuse_held_username(claims: Claims, now: int) -> None:
    # Usernames are public: saying one is taken tells nothing about addresses.
    if claims.username is not None and claims.username.holds_at(now):
        raise IdentityTaken(("username",))


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
