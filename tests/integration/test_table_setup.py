"""infra/local/table_setup.py on DynamoDB Local: a data dir from before the owner index gets it,
ready for writes and queries when ensure_table returns (moto does not build indexes, so the unit
test cannot see an index still CREATING)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contract.table_keys import OWNER_ATTRIBUTE, OWNER_INDEX
from infra.local import dynamodb_local
from infra.local.stage import free_port
from infra.local.supervisor import Supervisor
from infra.local.table_setup import ensure_table

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(180)]

TOOLS = Path(__file__).resolve().parents[2] / dynamodb_local.DEFAULT_TOOLS_DIR
TABLE = "users-setup"
REGION = "us-east-1"


@pytest.fixture
def ddb(tmp_path: Path) -> Iterator[Any]:
    """A client of a fresh DynamoDB Local, stopped after the test."""
    supervisor = Supervisor()
    try:
        endpoint = dynamodb_local.start(
            supervisor, tools_dir=TOOLS, data_dir=tmp_path, port=free_port()
        )
        yield dynamodb_local.client(endpoint, REGION)
    finally:
        supervisor.stop()


def _owned_by(ddb: Any, owner: str) -> list[str]:
    found = ddb.query(
        TableName=TABLE,
        IndexName=OWNER_INDEX,
        KeyConditionExpression="#owner = :owner",
        ExpressionAttributeNames={"#owner": OWNER_ATTRIBUTE},
        ExpressionAttributeValues={":owner": {"S": owner}},
    )
    return sorted(item["pk"]["S"] for item in found["Items"])


def test_ensure_table_adds_a_ready_owner_index_to_a_table_from_before_it(ddb: Any) -> None:
    ddb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.put_item(TableName=TABLE, Item={"pk": {"S": "SESSION#old"}, "userId": {"S": "u1"}})
    assert ensure_table(ddb, TABLE) is False
    (index,) = ddb.describe_table(TableName=TABLE)["Table"]["GlobalSecondaryIndexes"]
    assert (index["IndexName"], index["IndexStatus"]) == (OWNER_INDEX, "ACTIVE")
    assert index["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    # Writable at once (DynamoDB Local fails writes while an index is CREATING).
    ddb.put_item(TableName=TABLE, Item={"pk": {"S": "SESSION#new"}, OWNER_ATTRIBUTE: {"S": "u1"}})
    ddb.put_item(TableName=TABLE, Item={"pk": {"S": "USERNAME#ada"}, "userId": {"S": "u1"}})
    # Sparse: only the item naming its owner; the older one waits for its TTL.
    assert _owned_by(ddb, "u1") == ["SESSION#new"]
    assert ensure_table(ddb, TABLE) is False  # once is enough
