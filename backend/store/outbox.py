"""The outbox on the users table, as the mail worker uses it: read, lease, renew, finish.

A mail is sent once: a worker takes a lease on its item with a conditional
write before it sends, deletes the item once SES (or the local outbox) has
it, and gives the lease back when sending failed, so the next delivery of
the stream record tries again. Racing deliveries of one record meet the
lease; a delivery after the item is gone finds nothing to do.
"""

from __future__ import annotations

import secrets

from backend.errors import ClaimChanged
from backend.records import PENDING, VERIFIED, EmailClaim, OutboxItem, StoredUser, TokenRecord
from backend.store import items
from backend.store.failures import translated
from backend.store.writes import ABSENT, TableWriter
from contract.table_keys import OUTBOX_DELIVERIES


class DynamoDBOutbox(TableWriter):
    """Outbox items and what deciding a resend needs (the address's claim, a new link)."""

    def item(self, pk: str) -> OutboxItem | None:
        """The outbox item under `pk` as it is now (None once sent, dropped or expired)."""
        found = self._get(pk)
        return items.read_outbox(found) if found else None

    def email_claim(self, email_key: str) -> EmailClaim | None:
        """The address's claim, read consistently."""
        found = self._get(items.email_pk(email_key))
        return items.read_email_claim(found) if found else None

    def user(self, user_id: str) -> StoredUser | None:
        """The user with this id, read consistently."""
        found = self._get(items.user_pk(user_id))
        return items.read_user(found) if found else None

    def issue_reset(
        self,
        user: StoredUser,
        *,
        digest: str,
        mail: OutboxItem,
        request_pk: str,
        now: int,
        cooldown: int,
    ) -> None:
        """Make `digest` the user's one working reset link (the older one is deleted), and turn
        the request `request_pk` into its mail, at once; ClaimChanged when the user is not
        verified, was mailed a reset link within `cooldown` seconds, or changed meanwhile."""
        old = {":old": {"S": user.reset_digest}} if user.reset_digest else {}
        unchanged = "resetDigest = :old" if old else "attribute_not_exists(resetDigest)"
        operations = [
            self._update(
                items.user_pk(user.user_id),
                "SET resetDigest = :new, resetMailedAt = :now",
                f"#status = :verified AND {unchanged} AND "
                "(attribute_not_exists(resetMailedAt) OR resetMailedAt <= :cool)",
                {
                    ":new": {"S": digest},
                    ":now": {"N": str(now)},
                    ":verified": {"S": VERIFIED},
                    ":cool": {"N": str(now - cooldown)},
                }
                | old,
            ),
            self._put(
                items.reset_link(digest, user_id=user.user_id, valid_until=mail.valid_until),
                ABSENT,
            ),
            self._delete(items.reset_pk(user.reset_digest or secrets.token_hex(32))),
            self._delete(request_pk, "attribute_exists(#pk)"),
            self._put(items.outbox(mail), ABSENT),
        ]
        self._transact(operations)

    def lease(self, mail: OutboxItem, *, now: int, seconds: int) -> int | None:
        """Take the item for `seconds` to send it: how many deliveries took it so far (this one
        included), or None when it is gone or another delivery holds it."""
        try:
            with translated():
                answer = self._client.update_item(
                    TableName=self._table,
                    Key=items.key(items.outbox_pk(mail.outbox_id)),
                    UpdateExpression="SET leaseUntil = :until ADD #deliveries :one",
                    ConditionExpression="attribute_exists(#pk) AND "
                    "(attribute_not_exists(leaseUntil) OR leaseUntil < :now)",
                    ExpressionAttributeNames={"#pk": "pk", "#deliveries": OUTBOX_DELIVERIES},
                    ExpressionAttributeValues={
                        ":until": {"N": str(now + seconds)},
                        ":now": {"N": str(now)},
                        ":one": {"N": "1"},
                    },
                    ReturnValues="UPDATED_NEW",
                )
        except ClaimChanged:
            return None
        return int(answer["Attributes"][OUTBOX_DELIVERIES]["N"])

    def release(self, mail: OutboxItem) -> None:
        """Give the lease back after a failed send, so the next delivery may try at once."""
        with translated():
            self._client.update_item(
                TableName=self._table,
                Key=items.key(items.outbox_pk(mail.outbox_id)),
                UpdateExpression="REMOVE leaseUntil",
                ConditionExpression="attribute_exists(#pk)",
                ExpressionAttributeNames={"#pk": "pk"},
            )

    def finish(self, pk: str) -> None:
        """Delete the item: sent, dropped or decided (a delete of a missing item is no error)."""
        with translated():
            self._client.delete_item(TableName=self._table, Key=items.key(pk))

    def renew_link(
        self,
        claim: EmailClaim,
        *,
        token: TokenRecord,
        mail: OutboxItem,
        request_pk: str,
        now: int,
    ) -> None:
        """Replace a waiting sign-up's link, extend its claims, and turn the resend request
        `request_pk` into the link's mail, at once; ClaimChanged if anything moved (an
        expired sign-up is never renewed)."""
        old_digest = {":old": {"S": claim.token_digest or ""}}
        owner = {":id": {"S": claim.user_id}}
        expiry = {":exp": {"N": str(token.valid_until)}}
        operations = [
            self._update(
                items.user_pk(claim.user_id),
                "SET tokenDigest = :new, #exp = :exp",
                "#status = :pending AND tokenDigest = :old",
                {":new": {"S": token.digest}, ":pending": {"S": PENDING}} | expiry | old_digest,
            ),
            self._update(
                items.username_pk(claim.username_key),
                "SET #exp = :exp",
                "#uid = :id",
                expiry | owner,
            ),
            self._update(
                items.email_pk(mail.email_key),
                "SET #exp = :exp, tokenDigest = :new, mailedAt = :now",
                "#uid = :id AND tokenDigest = :old AND mailedAt = :mailed AND #exp > :now",
                {":new": {"S": token.digest}, ":now": {"N": str(now)}}
                | {":mailed": {"N": str(claim.mailed or 0)}}
                | expiry
                | owner
                | old_digest,
            ),
            self._put(items.token(token), ABSENT),
            self._delete(items.token_pk(claim.token_digest or "")),
            self._delete(request_pk, "attribute_exists(#pk)"),
            self._put(items.outbox(mail), ABSENT),
        ]
        self._transact(operations)
