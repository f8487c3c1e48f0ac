"""Proving an address: following a link verifies the user; a new link can be asked for.

A second use of a link that still works answers like the first (a double
click is not an error). Asking for a new link answers the same whatever the
address's state, and mails only a pending address, at most once a minute.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from backend.errors import (
    ClaimChanged,
    MailUnavailable,
    StoreUnavailable,
    TokenExpired,
    TokenInvalid,
)
from backend.messages import verification_mail
from backend.records import StoredUser, TokenRecord
from backend.sign_up import ATTEMPTS, Clock, Registration, as_utc, iso_millis
from contract.bounds import RESEND_COOLDOWN_SECONDS
from contract.rules import validate_resend_request, validate_token_request
from contract.tokens import new_token, token_digest


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
    """Verify the user behind the link's token, or raise TokenInvalid / TokenExpired."""
    digest = token_digest(validate_token_request(payload))
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
        if user.verified:
            if record.used is None:
                raise TokenInvalid("verified by another link")
            return VerifiedUser.of(user)  # the same link again: the same answer
        if user.token_digest != digest:
            raise TokenInvalid("a newer link replaced this one")
        at = iso_millis(now)
        try:
            store.verify(user, token=record, verified_at=at, now=int(now))
        except ClaimChanged:
            continue  # verified by a racing click, or re-sent: read again
        return VerifiedUser(
            user.user_id, user.username, user.email, user.created_at, at, just_verified=True
        )
    raise StoreUnavailable("the link kept changing under concurrent requests")


@dataclass(frozen=True, slots=True)
class ResendOutcome:
    """What a resend did; only the metrics see it, the answer is always the same 202."""

    mailed: bool = False
    mail_failed: bool = False


def resend_verification(
    payload: Mapping[str, object],
    registration: Registration,
    *,
    clock: Clock = time.time,
    make_token: Callable[[], str] = new_token,
) -> ResendOutcome:
    """Mail a fresh link to a pending address (the old one stops working); else do nothing."""
    address = validate_resend_request(payload)
    claim = registration.throttle.check(
        [("email", address.email_key)], lambda: registration.store.email_claim(address.email_key)
    )
    now = clock()
    if claim is None or claim.verified:
        return ResendOutcome()  # nobody is waiting for a link at this address
    if claim.mailed is not None and now < claim.mailed + RESEND_COOLDOWN_SECONDS:
        return ResendOutcome()
    token = make_token()
    expires = int(now) + registration.link_seconds
    record = TokenRecord(token_digest(token), claim.user_id, valid_until=expires)
    try:
        registration.store.renew_link(
            claim, email_key=address.email_key, token=record, expires=expires, now=int(now)
        )
    except ClaimChanged:
        # Raced by a sign-up, a verification or another resend, or the claims
        # expired and were taken: nothing to renew.
        return ResendOutcome()
    mail = verification_mail(
        registration.mail,
        to=claim.email,
        username=claim.username,
        token=token,
        expires=expires,
        now=as_utc(now),
    )
    try:
        registration.mailer.send(mail)
    except MailUnavailable:
        # Still 202: a 503 here would tell that the address has a pending
        # sign-up. The person can ask again after the cooldown.
        return ResendOutcome(mail_failed=True)
    return ResendOutcome(mailed=True)
