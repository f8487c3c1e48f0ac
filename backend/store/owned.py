"""What a deleted account leaves beyond its profile and claims: found by owner, deleted in batches.

Sessions, refresh tokens, links and the account's sign-in failure counters
carry the owner attribute (contract/table_keys.py), and a sparse index lists
their keys by it. They go after the deletion's transaction, not in it: a
transaction holds at most 100 items and an account may have a family for
every sign-in, and none of them works once the profile is gone. The batch
deletes take no condition, which is safe only because no one else can ever
hold these keys (the claims, whose keys the next sign-up takes, carry no
owner).

Reads from a global secondary index are eventually consistent: an item
written a moment before the deletion (a sign-in racing it) may not be listed
yet. It stays until its TTL, refreshing nothing: the profile is gone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from botocore.exceptions import BotoCoreError, ClientError

from backend.errors import ItemsLeftBehind, OutOfTime
from backend.store import items
from contract.table_keys import OWNER_ATTRIBUTE, OWNER_INDEX, PARTITION_KEY

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

# BatchWriteItem's most put or delete requests in one call.
BATCH_SIZE: Final = 25
# Seconds before each new try of a batch's UnprocessedItems (throttling), as
# DynamoDB asks: back off rather than resend at once. Under a second in all,
# and the request's deadline stops any call that could no longer finish.
RETRY_DELAYS: Final = (0.05, 0.1, 0.2, 0.4)


def delete_owned(
    client: DynamoDBClient,
    table: str,
    owner: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Delete every item `owner` owns; how many were listed. ItemsLeftBehind when some remain."""
    try:
        keys = _owned_keys(client, table, owner)
    except (ClientError, BotoCoreError, OutOfTime) as exc:
        raise ItemsLeftBehind(_cause(exc)) from exc
    left = 0
    for start in range(0, len(keys), BATCH_SIZE):
        batch = keys[start : start + BATCH_SIZE]
        try:
            left += _delete_batch(client, table, batch, sleep)
        except (ClientError, BotoCoreError, OutOfTime) as exc:
            raise ItemsLeftBehind(_cause(exc), left + len(keys) - start) from exc
    if left:
        raise ItemsLeftBehind("UnprocessedItems", left)
    return len(keys)


def _owned_keys(client: DynamoDBClient, table: str, owner: str) -> list[items.Item]:
    pages = client.get_paginator("query").paginate(
        TableName=table,
        IndexName=OWNER_INDEX,
        KeyConditionExpression="#owner = :owner",
        ExpressionAttributeNames={"#owner": OWNER_ATTRIBUTE},
        ExpressionAttributeValues={":owner": {"S": owner}},
    )
    return [items.key(item[PARTITION_KEY]["S"]) for page in pages for item in page["Items"]]


def _delete_batch(
    client: DynamoDBClient, table: str, keys: list[items.Item], sleep: Callable[[float], None]
) -> int:
    """Delete up to BATCH_SIZE keys; how many were still unprocessed after the last try."""
    request: Any = {table: [{"DeleteRequest": {"Key": key}} for key in keys]}
    for delay in (*RETRY_DELAYS, None):
        request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
        if not request or delay is None:
            break
        sleep(delay)
    return len(request.get(table, []))


def _cause(exc: Exception) -> str:
    # An error code says what failed and carries nothing of the request.
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code") or "ClientError")
    return type(exc).__name__
