"""Forgetting a password and choosing a new one through a mailed link.

Asking for a link answers the same 202 and does the same work whatever the
address's state: it counts the per-identifier limits and queues one outbox
item, exactly as a resend does; the mail worker decides off the request path
whether anyone gets a link (only a verified account's owner, at most one a
minute; backend/delivery.py). So neither the answer, nor a later request,
nor the time taken tells whether the address has an account.

Setting the password is the page's POST, never the link's GET: a mail
scanner that opens the link changes nothing. The link works once, until
RESET_TTL_SECONDS after it was issued, and only while it is the newest.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from typing import Final

from backend.client_address import current_client
from backend.errors import ClaimChanged, TokenExpired, TokenInvalid
from backend.records import PASSWORD_CHANGED_MAIL, RESET_REQUEST, OutboxItem
from backend.sign_up import Clock, Registration
from backend.store.accounts import DynamoDBAccountStore
from contract.bounds import RESET_COOLDOWN_SECONDS
from contract.rules import InvalidFields, password_problem
from contract.rules.account import validate_forgot_request, validate_reset_request
from contract.tokens import token_digest

# A forgot-password request is decided within this long, or dropped by TTL.
RESET_REQUEST_SECONDS: Final = RESET_COOLDOWN_SECONDS * 60
# A notice (no link) may wait this long for the mail worker.
NOTICE_SECONDS: Final = 24 * 3600


def forgot_password(
    payload: Mapping[str, object],
    registration: Registration,
    *,
    clock: Clock = time.time,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> None:
    """Queue the request for the mail worker, whatever the address's state (see module)."""
    address = validate_forgot_request(payload)
    registration.throttle.check([("email", address.email_key)], lambda: None)
    request = OutboxItem(
        outbox_id=new_id(),
        kind=RESET_REQUEST,
        to=address.email,
        email_key=address.email_key,
        valid_until=int(clock()) + RESET_REQUEST_SECONDS,
        client=current_client(),
    )
    registration.store.queue(request)


def reset_password(
    payload: Mapping[str, object],
    registration: Registration,
    accounts: DynamoDBAccountStore,
    *,
    clock: Clock = time.time,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> None:
    """Set the new password of the link's account, or raise TokenInvalid / TokenExpired /
    InvalidFields (the sign-up's password rules); nothing is written unless it succeeds."""
    request = validate_reset_request(payload)
    digest = token_digest(request.token)
    now = int(clock())
    link = accounts.reset_link(digest)
    if link is None:
        raise TokenInvalid("no such reset link")
    if now >= link.valid_until:
        raise TokenExpired("the reset link's time is up")
    user = accounts.user(link.user_id) if not link.used else None
    if user is None or not user.verified or user.reset_digest != digest:
        raise TokenInvalid("used, replaced by a newer link, or its account is gone")
    problem = password_problem(
        request.password, policy=registration.policy, username=user.username, email=user.email
    )
    if problem is not None:
        raise InvalidFields((problem,))
    notice = OutboxItem(
        outbox_id=new_id(),
        kind=PASSWORD_CHANGED_MAIL,
        to=user.email,
        email_key=user.email_key,
        valid_until=now + NOTICE_SECONDS,
        client=current_client(),
    )
    password_hash = registration.hasher.hash(request.password)
    try:
        accounts.set_password(user, link=link, password_hash=password_hash, notice=notice, now=now)
    except ClaimChanged as exc:
        raise TokenInvalid("a racing request used or replaced the link") from exc
