"""What the mail worker does with one outbox item: send it once, drop it, or decide a resend.

A link or notice is leased, sent, then deleted; a failed send gives the
lease back and raises, so the stream delivers the record again until the
mail goes out or its link expires. The cap on the mails one client address
can cause is counted on an item's first delivery: over it, the mail is
dropped, and no answer ever told the client (the request was long answered).

A resend request is decided here: only a sign-up still waiting for its link,
and not mailed within the cooldown, gets a new link, which is written as a
new outbox item in the same transaction that renews the sign-up (so its mail
is retried like any other). An expired sign-up is never renewed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

from backend.errors import ClaimChanged, MailUnavailable, RateLimited
from backend.mailer import Mailer
from backend.messages import (
    Mail,
    MailContext,
    account_deleted_mail,
    notice_mail,
    password_changed_mail,
    reset_mail,
    verification_mail,
)
from backend.records import (
    ACCOUNT_DELETED_MAIL,
    LINK_MAIL,
    NOTICE_MAIL,
    PASSWORD_CHANGED_MAIL,
    RESEND_REQUEST,
    RESET_MAIL,
    RESET_REQUEST,
    OutboxItem,
    TokenRecord,
)
from backend.store.counters import RateLimiter
from backend.store.outbox import DynamoDBOutbox
from contract.bounds import (
    DEFAULT_RESET_TTL_SECONDS,
    RESEND_COOLDOWN_SECONDS,
    RESET_COOLDOWN_SECONDS,
)
from contract.limits import RateLimit
from contract.tokens import link_token, new_nonce, token_digest

# How long one delivery may hold an item while sending it; a crashed
# delivery's lease runs out and the next delivery of the record sends it.
LEASE_SECONDS: Final = 60
MAIL_SCOPE: Final = "mails"


# The outbox kinds that are a mail to send (the others are requests decided above).
SENDABLE: Final = frozenset(
    {LINK_MAIL, NOTICE_MAIL, RESET_MAIL, PASSWORD_CHANGED_MAIL, ACCOUNT_DELETED_MAIL}
)


class MailBusy(Exception):
    """Another delivery of this record holds the item's lease; try again later."""


@dataclass(frozen=True)
class Delivery:
    """The worker's dependencies, built once per container."""

    outbox: DynamoDBOutbox
    mailer: Mailer
    mail: MailContext
    link_key: bytes = field(repr=False)
    link_seconds: int
    limiter: RateLimiter
    # None when limits are turned off (benchmarks only).
    mails_per_address: RateLimit | None
    clock: Callable[[], float]
    new_id: Callable[[], str] = lambda: str(uuid.uuid4())
    reset_seconds: int = DEFAULT_RESET_TTL_SECONDS

    def deliver(self, pk: str) -> str:  # noqa: PLR0911 - one outcome per kind of item
        """Act on the outbox item `pk`; the outcome's name (for the metrics and the log)."""
        now = self.clock()
        item = self.outbox.item(pk)
        if item is None:
            return "gone"  # sent, dropped or decided by an earlier delivery
        if now >= item.valid_until:
            self.outbox.finish(pk)
            return "expired"
        if item.kind == RESEND_REQUEST:
            return self._decide_resend(pk, item, now)
        if item.kind == RESET_REQUEST:
            return self._decide_reset(pk, item, now)
        if item.kind not in SENDABLE:
            self.outbox.finish(pk)  # nothing this worker knows how to send
            return "unknown"
        deliveries = self.outbox.lease(item, now=int(now), seconds=LEASE_SECONDS)
        if deliveries is None:
            raise MailBusy(pk)
        if deliveries == 1 and self._over_cap(item):
            self.outbox.finish(pk)
            return "capped"
        try:
            self.mailer.send(self._compose(item, now))
        except MailUnavailable:
            self.outbox.release(item)
            raise
        self.outbox.finish(pk)
        return "sent"

    def _over_cap(self, item: OutboxItem) -> bool:
        if self.mails_per_address is None:
            return False
        try:
            self.limiter.hit(MAIL_SCOPE, item.client, self.mails_per_address)
        except RateLimited:
            return True
        return False

    def _compose(self, item: OutboxItem, now: float) -> Mail:
        signed_up = datetime.fromisoformat(item.signed_up_at) if item.signed_up_at else _utc(now)
        if item.kind == NOTICE_MAIL:
            return notice_mail(self.mail, to=item.to, signed_up=signed_up, now=_utc(now))
        if item.kind == RESET_MAIL:
            token = link_token(self.link_key, item.nonce)
            return reset_mail(
                self.mail, to=item.to, token=token, expires=item.valid_until, now=_utc(now)
            )
        if item.kind == PASSWORD_CHANGED_MAIL:
            return password_changed_mail(self.mail, to=item.to, now=_utc(now))
        if item.kind == ACCOUNT_DELETED_MAIL:
            return account_deleted_mail(self.mail, to=item.to, now=_utc(now))
        return verification_mail(
            self.mail,
            to=item.to,
            username=item.username,
            token=link_token(self.link_key, item.nonce),
            expires=item.valid_until,
            signed_up=signed_up,
            now=_utc(now),
        )

    def _decide_resend(self, pk: str, request: OutboxItem, now: float) -> str:
        claim = self.outbox.email_claim(request.email_key)
        due = claim is not None and claim.waiting_at(now)
        if claim is None or not due or _cooling(claim.mailed, now):
            self.outbox.finish(pk)
            return "notdue"
        nonce = new_nonce()
        token = link_token(self.link_key, nonce)
        expires = int(now) + self.link_seconds
        link = OutboxItem(
            outbox_id=self.new_id(),
            kind=LINK_MAIL,
            to=claim.email,
            email_key=request.email_key,
            valid_until=expires,
            client=request.client,
            signed_up_at=claim.created_at,
            username=claim.username,
            nonce=nonce,
        )
        record = TokenRecord(token_digest(token), claim.user_id, valid_until=expires)
        try:
            self.outbox.renew_link(claim, token=record, mail=link, request_pk=pk, now=int(now))
        except ClaimChanged:
            # Raced by a sign-up, a verification or another resend: nothing to renew.
            self.outbox.finish(pk)
            return "raced"
        return "renewed"

    def _decide_reset(self, pk: str, request: OutboxItem, now: float) -> str:
        """Only a verified account's owner gets a reset link, at most one a minute (the
        condition of `issue_reset`); everyone else's request is dropped here, unseen."""
        claim = self.outbox.email_claim(request.email_key)
        user = self.outbox.user(claim.user_id) if claim and claim.verified else None
        if user is None or not user.verified:
            self.outbox.finish(pk)
            return "notdue"
        nonce = new_nonce()
        mail = OutboxItem(
            outbox_id=self.new_id(),
            kind=RESET_MAIL,
            to=user.email,
            email_key=request.email_key,
            valid_until=int(now) + self.reset_seconds,
            client=request.client,
            nonce=nonce,
        )
        digest = token_digest(link_token(self.link_key, nonce))
        try:
            self.outbox.issue_reset(
                user,
                digest=digest,
                mail=mail,
                request_pk=pk,
                now=int(now),
                cooldown=RESET_COOLDOWN_SECONDS,
            )
        except ClaimChanged:
            # Mailed within the minute, or raced by a reset or a deletion.
            self.outbox.finish(pk)
            return "notdue"
        return "issued"


def _cooling(mailed: int | None, now: float) -> bool:
    return mailed is not None and now < mailed + RESEND_COOLDOWN_SECONDS


def _utc(now: float) -> datetime:
    return datetime.fromtimestamp(now, UTC)
