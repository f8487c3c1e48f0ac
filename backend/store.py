"""The users table: one transaction writes the user and both uniqueness markers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as EndpointUnreachable

from backend.errors import IdentityTaken, StoreUnavailable
from backend.service import UserRecord
from backend.table import PARTITION_KEY

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

# Error codes that mean "try again later", not "you did something wrong".
_RETRYABLE: Final = frozenset(
    {
        "InternalServerError",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "ServiceUnavailable",
        "ThrottlingException",
        "TransactionConflict",
        "TransactionConflictException",
        "TransactionInProgressException",
    }
)
# Order of the items in the transaction; CancellationReasons follow it.
_MARKER_FIELDS: Final = (None, "username", "email")


def _put(table: str, item: dict[str, Any]) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": table,
            "Item": item,
            # Never overwrite: whoever writes a key first owns it.
            "ConditionExpression": "attribute_not_exists(#pk)",
            "ExpressionAttributeNames": {"#pk": PARTITION_KEY},
        }
    }


def _items(user: UserRecord) -> list[dict[str, Any]]:
    profile = {
        PARTITION_KEY: {"S": f"USER#{user.user_id}"},
        "kind": {"S": "user"},
        "userId": {"S": user.user_id},
        "username": {"S": user.username},
        "usernameKey": {"S": user.username_key},
        "email": {"S": user.email},
        "emailKey": {"S": user.email_key},
        "passwordHash": {"S": user.password_hash},
        "createdAt": {"S": user.created_at},
    }
    marker = {"userId": {"S": user.user_id}, "createdAt": {"S": user.created_at}}
    return [
        profile,
        {
            PARTITION_KEY: {"S": f"USERNAME#{user.username_key}"},
            "kind": {"S": "username"},
            **marker,
        },
        {PARTITION_KEY: {"S": f"EMAIL#{user.email_key}"}, "kind": {"S": "email"}, **marker},
    ]


def _cancellation_error(exc: ClientError) -> Exception:
    reasons = [reason.get("Code", "None") for reason in exc.response.get("CancellationReasons", [])]
    taken = tuple(
        name
        for name, code in zip(_MARKER_FIELDS, reasons, strict=False)
        if name is not None and code == "ConditionalCheckFailed"
    )
    if taken:
        return IdentityTaken(taken)
    # A conflicting transaction, throttling, or (astronomically unlikely) a
    # user id collision: nothing was written and a retry will succeed.
    return StoreUnavailable("transaction cancelled: " + ",".join(reasons))


class DynamoDBUserStore:
    """Adds users to the single table; the client is built once per container and injected."""

    def __init__(self, *, table_name: str, client: DynamoDBClient) -> None:
        self._table_name = table_name
        self._client = client

    def add_user(self, user: UserRecord) -> None:
        """Write the user and its markers atomically, or raise IdentityTaken / StoreUnavailable."""
        items = [_put(self._table_name, item) for item in _items(user)]
        try:
            self._client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code == "TransactionCanceledException":
                raise _cancellation_error(exc) from exc
            if code in _RETRYABLE:
                raise StoreUnavailable(code) from exc
            raise
        # Connect/read timeouts and dropped connections, after the client's own
        # retries. Other botocore errors (bad parameters, no credentials) are
        # bugs or misconfiguration and stay 500s.
        except (EndpointUnreachable, HTTPClientError) as exc:
            raise StoreUnavailable(type(exc).__name__) from exc
