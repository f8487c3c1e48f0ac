"""infra/local/table_setup.py on moto: the table as contract/table_keys.py describes it, also
when a data dir holds a table from before the owner index."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.local.table_setup import ensure_table
from tests.support.moto import MOTO_ENVIRONMENT, REGION

TABLE = "users-setup-test"
OWNER_INDEX = {
    "IndexName": "byOwner",
    "KeySchema": [{"AttributeName": "ownerId", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "KEYS_ONLY"},
}


@pytest.fixture
def ddb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in MOTO_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield boto3.client("dynamodb", region_name=REGION)


def _indexes(ddb: Any) -> list[dict[str, Any]]:
    table = ddb.describe_table(TableName=TABLE)["Table"]
    return [
        {name: index[name] for name in ("IndexName", "KeySchema", "Projection")}
        for index in table.get("GlobalSecondaryIndexes", [])
    ]


def test_ensure_table_creates_the_owner_index_keys_only(ddb: Any) -> None:
    assert ensure_table(ddb, TABLE, stream=False) is True
    assert _indexes(ddb) == [OWNER_INDEX]
    definitions = ddb.describe_table(TableName=TABLE)["Table"]["AttributeDefinitions"]
    assert {"AttributeName": "ownerId", "AttributeType": "S"} in definitions


def test_ensure_table_adds_the_owner_index_to_a_table_from_before_it(ddb: Any) -> None:
    ddb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    assert ensure_table(ddb, TABLE, stream=False) is False
    assert _indexes(ddb) == [OWNER_INDEX]
    assert ensure_table(ddb, TABLE, stream=False) is False  # once is enough
    assert _indexes(ddb) == [OWNER_INDEX]
