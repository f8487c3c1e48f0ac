"""Create the users table from contract/table_keys.py's schema: DynamoDB Local, moto, the bench.

The table has a stream of new images, as on AWS: the mail worker is fed
from it (on the local stage by infra/local/streams.py); and the owner index
an account deletion queries (backend/store/owned.py).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Final, cast

from botocore.exceptions import ClientError

from contract.table_keys import (
    ATTRIBUTE_DEFINITIONS,
    KEY_SCHEMA,
    OWNER_INDEX,
    OWNER_INDEX_KEY_SCHEMA,
    OWNER_INDEX_PROJECTION,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import (
        GlobalSecondaryIndexTypeDef,
        StreamSpecificationTypeDef,
    )

# The mail worker reads each outbox item's key from the record's new image.
STREAM: Final[StreamSpecificationTypeDef] = {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
# contract.table_keys holds plain dicts (it must not import boto3 stubs);
# their shape is exactly these TypedDicts.
OWNER_INDEX_SPEC: Final = cast(
    "GlobalSecondaryIndexTypeDef",
    {
        "IndexName": OWNER_INDEX,
        "KeySchema": list(OWNER_INDEX_KEY_SCHEMA),
        "Projection": {"ProjectionType": OWNER_INDEX_PROJECTION},
    },
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeDefinitionTypeDef, KeySchemaElementTypeDef


def ensure_table(ddb: DynamoDBClient, table_name: str, *, stream: bool = True) -> bool:
    """Create the users table unless it exists; True if it was created.

    `stream=False` leaves the stream out, for moto: its transactions copy the
    whole table, stream records included, so they slow down with every write;
    there the mail worker is fed by a scan of the outbox instead.
    """
    extra: dict[str, Any] = {"StreamSpecification": STREAM} if stream else {}
    try:
        ddb.create_table(
            TableName=table_name,
            # contract.table_keys holds plain dicts (it must not import boto3 stubs);
            # their shape is exactly these TypedDicts.
            KeySchema=cast("list[KeySchemaElementTypeDef]", list(KEY_SCHEMA)),
            AttributeDefinitions=cast(
                "list[AttributeDefinitionTypeDef]", list(ATTRIBUTE_DEFINITIONS)
            ),
            GlobalSecondaryIndexes=[OWNER_INDEX_SPEC],
            BillingMode="PAY_PER_REQUEST",
            **extra,
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ResourceInUseException":
            raise
        if stream:
            _ensure_stream(ddb, table_name)
        _ensure_owner_index(ddb, table_name)
        return False
    ddb.get_waiter("table_exists").wait(TableName=table_name)
    _ensure_owner_index(ddb, table_name)  # ACTIVE with the table, but never assumed
    return True


def stream_arn(ddb: DynamoDBClient, table_name: str) -> str:
    """The ARN of the table's current stream."""
    return ddb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]


def _ensure_stream(ddb: DynamoDBClient, table_name: str) -> None:
    # A data dir from before the table had a stream: turn it on.
    table = ddb.describe_table(TableName=table_name)["Table"]
    if not table.get("StreamSpecification", {}).get("StreamEnabled"):
        ddb.update_table(TableName=table_name, StreamSpecification=STREAM)


def _ensure_owner_index(ddb: DynamoDBClient, table_name: str, *, timeout: float = 60.0) -> None:
    # A data dir from before the owner index gets it. Items written before
    # carry no owner, so a deletion leaves those to their TTL.
    if _owner_index_status(ddb, table_name) is None:
        ddb.update_table(
            TableName=table_name,
            AttributeDefinitions=cast(
                "list[AttributeDefinitionTypeDef]", list(ATTRIBUTE_DEFINITIONS)
            ),
            GlobalSecondaryIndexUpdates=[{"Create": cast("Any", OWNER_INDEX_SPEC)}],
        )
    # DynamoDB Local fails writes to the table (InternalFailure) while the new
    # index is still CREATING: the stage starts serving once it is ACTIVE.
    deadline = time.monotonic() + timeout
    while _owner_index_status(ddb, table_name) != "ACTIVE":
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"{table_name}'s index {OWNER_INDEX} is not ACTIVE after {timeout} s"
            )
        time.sleep(0.2)


def _owner_index_status(ddb: DynamoDBClient, table_name: str) -> str | None:
    table = ddb.describe_table(TableName=table_name)["Table"]
    for index in table.get("GlobalSecondaryIndexes", []):
        if index["IndexName"] == OWNER_INDEX:
            return index.get("IndexStatus", "ACTIVE")
    return None
