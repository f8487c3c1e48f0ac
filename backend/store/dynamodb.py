"""The users table on DynamoDB: consistent reads, then one conditional transaction per decision.

Every write is conditioned on what was read, so two racing requests can never
both take one username or one address: the loser's transaction is cancelled
and it reads again (ClaimChanged). Conditions compare `expiresAt` with the
clock because TTL deletion lags.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backend.errors import IdentityTaken, TokenExpired
from backend.records import (
    PENDING,
    VERIFIED,
    Claims,
    EmailClaim,
    NewUser,
    StoredUser,
    TokenRecord,
    UsernameClaim,
)
from backend.store import items
from backend.store.failures import changed_unless_throttled, condition_failed, translated
from contract.table_keys import PARTITION_KEY, TTL_ATTRIBUTE

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

# `status` is a DynamoDB reserved word; the others are named for brevity.
_NAMES = {"#pk": PARTITION_KEY, "#exp": TTL_ATTRIBUTE, "#uid": "userId", "#status": "status"}
_ABSENT = "attribute_not_exists(#pk)"
_EXPIRED = "#exp < :now"


class DynamoDBUserStore:
    """The single table; the client is built once per container and injected."""

    def __init__(self, *, table_name: str, client: DynamoDBClient) -> None:
        self._table = table_name
        self._client = client

    # ---- reads -------------------------------------------------------------
    def _get(self, pk: str) -> items.Item | None:
        with translated():
            found = self._client.get_item(
                TableName=self._table, Key=items.key(pk), ConsistentRead=True
            )
        return found.get("Item")

    def claims(self, *, username_key: str, email_key: str) -> Claims:
        """The address's and the username's claims (and the one a replacement releases)."""
        email = self.email_claim(email_key)
        username = self._username_claim(username_key)
        released = None
        if email is not None and not email.verified and email.username_key != username_key:
            released = self._username_claim(email.username_key)
        return Claims(email, username, released)

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
    def _transact(self, operations: list[dict[str, Any]], verdict: Any = None) -> None:
        with translated(verdict or changed_unless_throttled):
            self._client.transact_write_items(TransactItems=operations)  # type: ignore[arg-type]

    def _put(self, item: items.Item, condition: str, values: dict[str, Any] | None = None) -> Any:
        return {"Put": self._expression(condition, values) | {"Item": item}}

    def _update(
        self, pk: str, update: str, condition: str, values: dict[str, Any] | None = None
    ) -> Any:
        expression = self._expression(condition, values, update)
        return {"Update": expression | {"Key": items.key(pk), "UpdateExpression": update}}

    def _delete(self, pk: str, condition: str = "", values: dict[str, Any] | None = None) -> Any:
        if not condition:
            return {"Delete": {"TableName": self._table, "Key": items.key(pk)}}
        return {"Delete": self._expression(condition, values) | {"Key": items.key(pk)}}

    def _expression(
        self, condition: str, values: dict[str, Any] | None, update: str = ""
    ) -> dict[str, Any]:
        text = condition + " " + update
        # Only the names and values the expressions use: DynamoDB refuses unused ones.
        names = {name: value for name, value in _NAMES.items() if name in text}
        expression: dict[str, Any] = {"TableName": self._table, "ConditionExpression": condition}
        # DynamoDB refuses an empty map as well (moto does not).
        if names:
            expression["ExpressionAttributeNames"] = names
        if values:
            expression["ExpressionAttributeValues"] = values
        return expression

    def add_pending(
        self, user: NewUser, *, token: TokenRecord, expires: int, now: int, replacing: Claims
    ) -> None:
        """Write the user, both claims and the link in one transaction (see UserStore)."""
        old = replacing.email.user_id if replacing.email else None
        now_value = {":now": {"N": str(now)}}
        old_value = {":old": {"S": old}} if old else {}
        username_condition = f"{_ABSENT} OR {_EXPIRED}" + (" OR #uid = :old" if old else "")
        # A pending claim on the address is replaced whoever made it; a verified
        # one never is (it has no expiry, so this condition fails on it).
        email_condition = "#uid = :old AND attribute_exists(#exp)" if old else _ABSENT
        operations = [
            self._put(
                items.pending_user(user, token_digest=token.digest, expires=expires), _ABSENT
            ),
            self._put(
                items.username_claim(user, expires=expires),
                username_condition,
                now_value | old_value,
            ),
            self._put(
                items.email_claim(user, token_digest=token.digest, expires=expires, mailed=now),
                email_condition,
                old_value or None,
            ),
            self._put(items.token(token), _ABSENT),
        ]
        if replacing.email is not None:
            operations += self._release(replacing.email, replacing.released_username)
        self._transact(operations, _username_taken_or_changed)

    def _release(self, email: EmailClaim, username: UsernameClaim | None) -> list[dict[str, Any]]:
        """Remove the replaced pending sign-up: its profile, its link, its other username."""
        old = email.user_id
        released = [self._delete(items.user_pk(old))]
        if email.token_digest:
            released.append(self._delete(items.token_pk(email.token_digest)))
        if username is not None and username.user_id == old:
            owned = {":old": {"S": old}}
            released.append(
                self._delete(items.username_pk(email.username_key), "#uid = :old", owned)
            )
        return released

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

    def renew_link(
        self, claim: EmailClaim, *, email_key: str, token: TokenRecord, expires: int, now: int
    ) -> None:
        """Replace a pending sign-up's link and extend its claims (see UserStore)."""
        old_digest = {":old": {"S": claim.token_digest or ""}}
        owner = {":id": {"S": claim.user_id}}
        expiry = {":exp": {"N": str(expires)}}
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
                items.email_pk(email_key),
                "SET #exp = :exp, tokenDigest = :new, mailedAt = :now",
                "#uid = :id AND tokenDigest = :old AND mailedAt = :mailed",
                {":new": {"S": token.digest}, ":now": {"N": str(now)}}
                | {":mailed": {"N": str(claim.mailed or 0)}}
                | expiry
                | owner
                | old_digest,
            ),
            self._put(items.token(token), _ABSENT),
            self._delete(items.token_pk(claim.token_digest or "")),
        ]
        self._transact(operations)


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
