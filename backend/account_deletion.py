"""Deleting an account: the signed-in owner confirms with the password; everything goes at once.

The profile, both claims and the working reset link are deleted in one
transaction that also queues the notice mail, so the username and the
address are free for a new sign-up the moment the 204 is sent. Nothing is
left that refreshes a session or passes `GET /me`: both look the profile up
and find none. Then the account's sessions, refresh tokens, spent links and
sign-in failure counters are found by owner and deleted too
(backend/store/owned.py). Wrong passwords count toward the sign-in failure
limits, so a stolen access token cannot be used to guess the password.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools import Logger

from backend.errors import ClaimChanged, CredentialsInvalid, ItemsLeftBehind, NotAuthenticated
from backend.password_reset import NOTICE_SECONDS
from backend.records import ACCOUNT_DELETED_MAIL, OutboxItem
from backend.sessions import Sessions
from backend.sign_up import Clock
from backend.store.accounts import DynamoDBAccountStore
from contract.routes import SERVICE_NAME
from contract.rules.account import validate_delete_request

# The handler's logger (backend/handler.py) writes this module's lines.
logger = Logger(service=SERVICE_NAME, child=True)


def delete_account(
    claims: Mapping[str, Any] | None,
    payload: Mapping[str, object],
    *,
    sessions: Sessions,
    accounts: DynamoDBAccountStore,
    client: str,
    clock: Clock = time.time,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> bool:
    """Delete the token's subject if `payload`'s password is theirs; NotAuthenticated when the
    subject is gone, CredentialsInvalid (nothing deleted) when the password is wrong.

    True when everything the account owned went with it; False when some of
    it is left to its TTL (logged; the account is deleted all the same)."""
    subject = str((claims or {}).get("sub") or "")
    password = validate_delete_request(payload)
    user = accounts.user(subject) if subject else None
    if user is None or not user.verified:
        raise NotAuthenticated("no such user")
    limits = sessions.limits
    reservation = limits.reserve(account=user.user_id, client=client) if limits else None
    if not sessions.hasher.verify(password, user.password_hash):
        raise CredentialsInvalid("not this account's password")
    if limits and reservation:
        limits.release(reservation)
    notice = OutboxItem(
        outbox_id=new_id(),
        kind=ACCOUNT_DELETED_MAIL,
        to=user.email,
        email_key=user.email_key,
        valid_until=int(clock()) + NOTICE_SECONDS,
        client=client,
    )
    try:
        accounts.delete(user, notice=notice)
    except ClaimChanged as exc:
        # The password changed, or the account went, since it was read.
        raise NotAuthenticated("the account changed meanwhile") from exc
    return _delete_owned(accounts, user.user_id)


def _delete_owned(accounts: DynamoDBAccountStore, user_id: str) -> bool:
    try:
        accounts.delete_owned(user_id)
    except ItemsLeftBehind as exc:
        # The account is gone once the transaction commits, so the answer stays
        # 204: an error would have the caller retry with a token that now
        # answers 401. What remains works for nobody (every use looks the
        # profile up) and TTL takes it. The line names no user: an error code
        # and a count.
        logger.warning(
            "account deleted, items left to TTL", extra={"cause": exc.cause, "left": exc.left}
        )
        return False
    return True
