"""Signing in and sessions on the users table: the login's credentials and refresh-token families.

SESSION#<family>    one sign-in's refresh tokens: the user, the current token's digest, the
                    session's end (`validUntil`, also the TTL), `revokedAt` once ended, and
                    the user's `sessionEpoch` when it began (a reset raises the user's)
REFRESH#<sha256>    one refresh token: its family, user and end; `usedAt` once rotated
Both name the user as owner too: deleting the account deletes them (backend/store/owned.py).

Refresh tokens are stored only as SHA-256 digests of 256 random bits: the
table holds nothing that refreshes a session. Every state change is one
conditional transaction, so two racing uses of one token never both rotate it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from backend.records import PENDING, VERIFIED
from backend.store import items
from backend.store.accounts import SESSION_EPOCH
from backend.store.failures import translated
from contract.table_keys import PARTITION_KEY, TTL_ATTRIBUTE

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

_EXISTS = f"attribute_exists({PARTITION_KEY})"
_ABSENT = f"attribute_not_exists({PARTITION_KEY})"


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a sign-in checks and what its tokens say; the hash never leaves the service."""

    user_id: str
    username: str
    email: str
    created_at: str
    verified_at: str | None
    status: str
    password_hash: str = field(repr=False)
    # Raised by every password reset: families of an older epoch refresh no more.
    session_epoch: int = 0

    @property
    def verified(self) -> bool:
        """The address has been proven."""
        return self.status == VERIFIED


@dataclass(frozen=True, slots=True)
class RefreshRecord:
    """A refresh token by its digest, and the state of its family."""

    digest: str = field(repr=False)
    family_id: str = ""
    user_id: str = ""
    valid_until: int = 0
    used: bool = False
    revoked: bool = False
    current: bool = False
    epoch: int = 0


@dataclass(frozen=True, slots=True)
class NewSession:
    """A refresh token about to be stored: the first of its family or a rotation's successor."""

    digest: str = field(repr=False)
    family_id: str = ""
    user_id: str = ""
    valid_until: int = 0
    # The user's session epoch when the family began (see backend/store/accounts.py).
    epoch: int = 0


def session_pk(family_id: str) -> str:
    """The key of a refresh-token family (one sign-in)."""
    return f"SESSION#{family_id}"


def refresh_pk(digest: str) -> str:
    """The key of a refresh token, by its digest."""
    return f"REFRESH#{digest}"


class DynamoDBSessionStore:
    """Reads and conditional writes for sign-in, refresh and sign-out."""

    def __init__(self, *, table_name: str, client: DynamoDBClient) -> None:
        self._table = table_name
        self._client = client

    def _get(self, pk: str) -> dict[str, Any] | None:
        with translated():
            found = self._client.get_item(
                TableName=self._table, Key=items.key(pk), ConsistentRead=True
            )
        return found.get("Item")

    def _write(self, operations: list[dict[str, Any]]) -> None:
        with translated():
            self._client.transact_write_items(TransactItems=operations)  # type: ignore[arg-type]

    def claimant(self, kind: str, key: str, *, now: int) -> str | None:
        """The user id holding the username or address `key`; an expired pending claim is none."""
        pk = items.email_pk(key) if kind == "email" else items.username_pk(key)
        item = self._get(pk)
        if item is None:
            return None
        expires = _number(item, TTL_ATTRIBUTE)
        if expires is not None and expires <= now:
            return None
        return _text(item, "userId")

    def credentials(self, user_id: str) -> Credentials | None:
        """The user's profile with its hash; an unknown id costs the same read."""
        item = self._get(items.user_pk(user_id))
        if item is None:
            return None
        return Credentials(
            user_id=_text(item, "userId") or user_id,
            username=_text(item, "username") or "",
            email=_text(item, "email") or "",
            created_at=_text(item, "createdAt") or "",
            verified_at=_text(item, "verifiedAt"),
            status=_text(item, "status") or PENDING,
            password_hash=_text(item, "passwordHash") or "",
            session_epoch=_number(item, SESSION_EPOCH) or 0,
        )

    def refresh_token(self, digest: str) -> RefreshRecord | None:
        """The token with this digest and its family's state, or None when unknown."""
        token = self._get(refresh_pk(digest))
        if token is None:
            return None
        family_id = _text(token, "familyId") or ""
        family = self._get(session_pk(family_id)) or {}
        return RefreshRecord(
            digest=digest,
            family_id=family_id,
            user_id=_text(token, "userId") or "",
            valid_until=_number(token, "validUntil") or 0,
            used="usedAt" in token,
            revoked=not family or "revokedAt" in family,
            current=_text(family, "current") == digest,
            epoch=_number(family, SESSION_EPOCH) or 0,
        )

    def start(self, session: NewSession, *, rehash: tuple[str, str] | None = None) -> None:
        """Store a new family with its first token; with `rehash` (old, new), upgrade the hash."""
        operations = [
            _put(self._table, _family(session), _ABSENT),
            _put(self._table, _token(session), _ABSENT),
        ]
        if rehash is not None:
            old, new = rehash
            operations.append(
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": items.key(items.user_pk(session.user_id)),
                        "UpdateExpression": "SET passwordHash = :new",
                        "ConditionExpression": "passwordHash = :old",
                        "ExpressionAttributeValues": {":new": {"S": new}, ":old": {"S": old}},
                    }
                }
            )
        self._write(operations)

    def rotate(self, used: RefreshRecord, successor: NewSession, *, now: int) -> None:
        """Mark `used` as used and make `successor` its family's current token, all or nothing.

        ClaimChanged when the token was used, or the family revoked, in between.
        """
        self._write(
            [
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": items.key(refresh_pk(used.digest)),
                        "UpdateExpression": "SET usedAt = :now",
                        "ConditionExpression": f"{_EXISTS} AND attribute_not_exists(usedAt)",
                        "ExpressionAttributeValues": {":now": {"N": str(now)}},
                    }
                },
                _put(self._table, _token(successor), _ABSENT),
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": items.key(session_pk(used.family_id)),
                        "UpdateExpression": "SET #current = :new",
                        "ConditionExpression": "#current = :old AND "
                        "attribute_not_exists(revokedAt)",
                        "ExpressionAttributeNames": {"#current": "current"},
                        "ExpressionAttributeValues": {
                            ":new": {"S": successor.digest},
                            ":old": {"S": used.digest},
                        },
                    }
                },
            ]
        )

    def revoke(self, family_id: str, *, now: int) -> None:
        """End the family: none of its tokens refreshes again (the first end's time stays)."""
        with translated():
            try:
                self._client.update_item(
                    TableName=self._table,
                    Key=items.key(session_pk(family_id)),
                    UpdateExpression="SET revokedAt = if_not_exists(revokedAt, :now)",
                    ConditionExpression=_EXISTS,
                    ExpressionAttributeValues={":now": {"N": str(now)}},
                )
            except self._client.exceptions.ConditionalCheckFailedException:
                return  # the family is gone (expired and deleted): nothing left to revoke


def _put(table: str, item: dict[str, Any], condition: str) -> dict[str, Any]:
    return {"Put": {"TableName": table, "Item": item, "ConditionExpression": condition}}


def _family(session: NewSession) -> dict[str, Any]:
    return {
        **items.key(session_pk(session.family_id)),
        "kind": {"S": "session"},
        "userId": {"S": session.user_id},
        **items.owned_by(session.user_id),
        "current": {"S": session.digest},
        SESSION_EPOCH: {"N": str(session.epoch)},
        "validUntil": {"N": str(session.valid_until)},
        TTL_ATTRIBUTE: {"N": str(session.valid_until)},
    }


def _token(session: NewSession) -> dict[str, Any]:
    return {
        **items.key(refresh_pk(session.digest)),
        "kind": {"S": "refresh"},
        "familyId": {"S": session.family_id},
        "userId": {"S": session.user_id},
        **items.owned_by(session.user_id),
        "validUntil": {"N": str(session.valid_until)},
        TTL_ATTRIBUTE: {"N": str(session.valid_until)},
    }


def _text(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name)
    return str(value["S"]) if value else None


def _number(item: dict[str, Any], name: str) -> int | None:
    value = item.get(name)
    return int(value["N"]) if value else None
