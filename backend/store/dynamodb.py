"""The users table on DynamoDB: consistent reads, then one conditional transaction per decision.

Every write is conditioned on what was read, so two racing requests can never
both take one username or one address: the loser's transaction is cancelled
and it reads again (ClaimChanged). Conditions compare `expiresAt` with the
clock because TTL deletion lags.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any, Final

from backend.errors import ClaimChanged, IdentityTaken, TokenExpired, TokenInvalid
from backend.records import (
    PENDING,
    VERIFIED,
    Claims,
    EmailClaim,
    NewUser,
    OutboxItem,
    StoredUser,
    TokenRecord,
    UsernameClaim,
)
from backend.store import items
from backend.store.failures import changed_unless_throttled, condition_failed, translated
from backend.store.writes import ABSENT, EXPIRED, TableWriter
from contract.table_keys import PARTITION_KEY

# A username is free when nobody holds it, its sign-up expired, or it is the replaced
# sign-up's. Every sign-up sends this one condition, a new address's and a verified
# one's with an id nobody has (_nobody): the store's work to parse and test it is then
# the same whatever the address's state.
_USERNAME_FREE: Final = f"{ABSENT} OR {EXPIRED} OR #uid = :old"


def _nobody() -> str:
    """A user id no item holds (ids are random UUIDs), for a condition that must not match."""
    return str(uuid.uuid4())


class DynamoDBUserStore(TableWriter):
    """The single table; the client is built once per container and injected."""

    # ---- reads -------------------------------------------------------------
    def claims(self, *, username_key: str, email_key: str) -> Claims:
        """The address's and the username's claims, in one consistent BatchGetItem.

        One round trip whatever the address's state: what a sign-up reads must
        not take longer for one kind of address than for another.
        """
        keys = [items.key(items.email_pk(email_key)), items.key(items.username_pk(username_key))]
        request: Any = {self._table: {"Keys": keys, "ConsistentRead": True}}
        found: dict[str, items.Item] = {}
        with translated():
            while request:
                answer = self._client.batch_get_item(RequestItems=request)
                for item in answer.get("Responses", {}).get(self._table, []):
                    found[item[PARTITION_KEY]["S"]] = item
                # Unprocessed keys (throttling) are asked for again, as DynamoDB documents.
                request = answer.get("UnprocessedKeys") or {}
        email = found.get(items.email_pk(email_key))
        username = found.get(items.username_pk(username_key))
        return Claims(
            items.read_email_claim(email) if email else None,
            items.read_username_claim(username) if username else None,
        )

    def _username_claim(self, key: str) -> UsernameClaim | None:
        item = self._get(items.username_pk(key))
        return items.read_username_claim(item) if item else None

    def email_claim(self, email_key: str) -> EmailClaim | None:
        """The address's claim, read consistently."""
        item = self._get(items.email_pk(email_key))
        return items.read_email_claim(item) if item else None

    def token(self, digest: str) -> TokenRecord | None:
        """The link with this digest, if any."""
        item = self._get(items.token_pk(digest))
        return items.read_token(item, digest) if item else None

    def user(self, user_id: str) -> StoredUser | None:
        """The user with this id, if any."""
        item = self._get(items.user_pk(user_id))
        return items.read_user(item) if item else None

    # ---- writes ------------------------------------------------------------
    def add_pending(
        self,
        user: NewUser,
        *,
        token: TokenRecord,
        mail: OutboxItem,
        now: int,
        replacing: EmailClaim | None,
    ) -> None:
        """Write the user, both claims, the link and its mail in one transaction.

        A pending claim on the address is replaced whoever made it (its profile
        and link are deleted); a verified one never is (it has no expiry, so
        the condition fails on it). The replaced sign-up's username claim is
        left to expire on its own: releasing it early would let a later
        request see that the address had been pending under that name.
        """
        old = {":old": {"S": replacing.user_id if replacing else _nobody()}}
        operations = [
            self._put(
                items.pending_user(user, token_digest=token.digest, expires=token.valid_until),
                ABSENT,
            ),
            self._put(
                items.username_claim(user, expires=token.valid_until),
                _USERNAME_FREE,
                {":now": {"N": str(now)}} | old,
            ),
            self._put(
                items.email_claim(
                    user, token_digest=token.digest, expires=token.valid_until, mailed=now
                ),
                # Free (TTL may have taken an expired sign-up's), or still the pending
                # sign-up that was read: one text for a new address and a pending one.
                f"{ABSENT} OR (#uid = :old AND attribute_exists(#exp))",
                old,
            ),
            self._put(items.token(token), ABSENT),
            self._put(items.outbox(mail), ABSENT),
        ]
        if replacing is not None:
            operations += [
                self._delete(items.user_pk(replacing.user_id)),
                self._delete(items.token_pk(replacing.token_digest or secrets.token_hex(32))),
            ]
        else:
            operations += self._padding(2)
        self._transact(operations, _username_taken_or_changed)

    def add_decoy(
        self, user: NewUser, *, token: TokenRecord, mail: OutboxItem, now: int, owner: EmailClaim
    ) -> None:
        """The writes of a sign-up for a verified address (see backend/sign_up.py).

        As many items as any other sign-up, the username claimed until the same
        expiry, and the owner's claim checked instead of written: the address's
        state shows neither in the answer, nor in a later request, nor in time.
        """
        owner_value = {":owner": {"S": owner.user_id}}
        operations = [
            self._put(
                items.pending_user(
                    user, token_digest=token.digest, expires=token.valid_until, decoy=True
                ),
                ABSENT,
            ),
            self._put(
                items.username_claim(user, expires=token.valid_until),
                _USERNAME_FREE,
                {":now": {"N": str(now)}, ":old": {"S": _nobody()}},
            ),
            self._check(
                items.email_pk(user.email_key),
                "#uid = :owner AND attribute_not_exists(#exp)",
                owner_value,
            ),
            self._put(items.token(token), ABSENT),
            self._put(items.outbox(mail), ABSENT),
            *self._padding(2),
        ]
        self._transact(operations, _username_taken_or_changed)

    def _padding(self, count: int) -> list[dict[str, Any]]:
        # Deletes of link keys that cannot exist (random digests): every
        # sign-up's transaction then has as many items as a replacement's,
        # since DynamoDB's time for a transaction grows with its items.
        return [self._delete(items.token_pk(secrets.token_hex(32))) for _ in range(count)]

    def verify(self, user: StoredUser, *, token: TokenRecord, verified_at: str, now: int) -> None:
        """Mark the user, both claims and the link verified at once (see UserStore)."""
        owner = {":id": {"S": user.user_id}}
        operations = [
            self._update(
                items.user_pk(user.user_id),
                "SET #status = :verified, verifiedAt = :at REMOVE #exp, tokenDigest",
                "#status = :pending AND tokenDigest = :digest",
                {
                    ":verified": {"S": VERIFIED},
                    ":pending": {"S": PENDING},
                    ":at": {"S": verified_at},
                    ":digest": {"S": token.digest},
                },
            ),
            self._update(items.username_pk(user.username_key), "REMOVE #exp", "#uid = :id", owner),
            self._update(
                items.email_pk(user.email_key),
                "REMOVE #exp, tokenDigest, mailedAt",
                "#uid = :id",
                owner,
            ),
            self._update(
                items.token_pk(token.digest),
                "SET usedAt = :now",
                "attribute_not_exists(usedAt)",
                {":now": {"N": str(now)}},
            ),
        ]
        self._transact(operations, _claim_lost_or_changed)

    def reserve_attempt(self, digest: str, *, limit: int) -> None:
        """Count one password check on a link before it runs; TokenInvalid once `limit` are spent.

        Counted first, so racing requests cannot run more checks than the limit
        between reading the count and writing it.
        """
        try:
            with translated():
                self._client.update_item(
                    TableName=self._table,
                    Key=items.key(items.token_pk(digest)),
                    UpdateExpression="ADD attempts :one",
                    ConditionExpression="attribute_exists(#pk) AND "
                    "(attribute_not_exists(attempts) OR attempts < :limit)",
                    ExpressionAttributeNames={"#pk": PARTITION_KEY},
                    ExpressionAttributeValues={":one": {"N": "1"}, ":limit": {"N": str(limit)}},
                )
        except ClaimChanged as exc:
            raise TokenInvalid("the link's password attempts are spent") from exc

    def release_attempt(self, digest: str) -> None:
        """Give back an attempt whose password was right (only mismatches spend a link)."""
        with translated():
            self._client.update_item(
                TableName=self._table,
                Key=items.key(items.token_pk(digest)),
                UpdateExpression="ADD attempts :minus",
                ExpressionAttributeValues={":minus": {"N": "-1"}},
            )

    def queue(self, mail: OutboxItem) -> None:
        """Put one outbox item (a resend request) for the mail worker."""
        self._transact([self._put(items.outbox(mail), ABSENT)])


def _username_taken_or_changed(reasons: list[str]) -> Exception:
    # Items in add_pending's order: the profile, then the username's claim.
    if len(reasons) > 1 and condition_failed(reasons[1]):
        return IdentityTaken(("username",))
    return changed_unless_throttled(reasons)


def _claim_lost_or_changed(reasons: list[str]) -> Exception:
    # verify's order: the profile, the username's claim, the address's claim,
    # the link. A claim that is no longer this user's was lost when the
    # sign-up expired: the link has expired with it.
    if any(condition_failed(reason) for reason in reasons[1:3]):
        return TokenExpired("a claim of this sign-up belongs to someone else now")
    return changed_unless_throttled(reasons)
