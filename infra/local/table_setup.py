"""Create the users table from contract/table_keys.py's schema: DynamoDB Local, moto, the bench."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from botocore.exceptions import ClientError

from contract.table_keys import ATTRIBUTE_DEFINITIONS, KEY_SCHEMA

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeDefinitionTypeDef, KeySchemaElementTypeDef


def ensure_table(ddb: DynamoDBClient, table_name: str) -> bool:
    """Create the users table unless it exists; True if it was created."""
    try:
        ddb.create_table(
            TableName=table_name,
            # contract.table_keys holds plain dicts (it must not import boto3 stubs);
            # their shape is exactly these TypedDicts.
            KeySchema=cast("list[KeySchemaElementTypeDef]", list(KEY_SCHEMA)),
            AttributeDefinitions=cast(
                "list[AttributeDefinitionTypeDef]", list(ATTRIBUTE_DEFINITIONS)
            ),
            BillingMode="PAY_PER_REQUEST",
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ResourceInUseException":
            raise
        return False
    ddb.get_waiter("table_exists").wait(TableName=table_name)
    return True
