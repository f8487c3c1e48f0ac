"""backend/store/owned.py: what an account owned, listed by owner and deleted 25 items a call."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from backend.errors import ItemsLeftBehind
from backend.store.owned import BATCH_SIZE, RETRY_DELAYS, delete_owned
from contract.table_keys import OWNER_ATTRIBUTE, OWNER_INDEX

TABLE = "users-test"


def _error(code: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "x"}}, operation)


class _Table:
    """A stand-in for the client: an owner index over `owned`, listed `page` keys a page, and
    batch deletes that leave the first `unprocessed[n]` requests of call n unprocessed."""

    def __init__(self, owned: dict[str, list[str]], *, page: int = 7) -> None:
        self.owned = {owner: list(keys) for owner, keys in owned.items()}
        self.page = page
        self.unprocessed: list[int] = []
        self.batches: list[int] = []
        self.queries: list[dict[str, Any]] = []
        self.failure: ClientError | None = None

    def get_paginator(self, name: str) -> _Table:
        assert name == "query"
        return self

    def paginate(self, **request: Any) -> Iterator[dict[str, Any]]:
        self.queries.append(request)
        if self.failure and self.failure.operation_name == "Query":
            raise self.failure
        owner = request["ExpressionAttributeValues"][":owner"]["S"]
        keys = list(self.owned.get(owner, []))  # a snapshot, as each page is read once
        for start in range(0, len(keys), self.page):
            yield {"Items": [_entry(pk, owner) for pk in keys[start : start + self.page]]}

    def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:  # noqa: N803 - boto3's name
        if self.failure and self.failure.operation_name == "BatchWriteItem":
            raise self.failure
        (requests,) = RequestItems.values()
        assert list(RequestItems) == [TABLE] and len(requests) <= BATCH_SIZE
        self.batches.append(len(requests))
        left = requests[: self.unprocessed.pop(0)] if self.unprocessed else []
        for request in requests[len(left) :]:
            pk = request["DeleteRequest"]["Key"]["pk"]["S"]
            for keys in self.owned.values():
                if pk in keys:
                    keys.remove(pk)
        return {"UnprocessedItems": {TABLE: left} if left else {}}


def _entry(pk: str, owner: str) -> dict[str, Any]:
    # What a keys-only index returns: the table's key and the index's.
    return {"pk": {"S": pk}, OWNER_ATTRIBUTE: {"S": owner}}


def _keys(count: int, prefix: str = "SESSION#") -> list[str]:
    return [f"{prefix}{n:03d}" for n in range(count)]


def test_delete_owned_lists_on_the_owner_index_and_deletes_25_a_call() -> None:
    table = _Table({"u1": _keys(60), "u2": _keys(2, "REFRESH#")})
    assert delete_owned(table, TABLE, "u1", sleep=pytest.fail) == 60
    assert table.owned == {"u1": [], "u2": ["REFRESH#000", "REFRESH#001"]}
    assert table.batches == [25, 25, 10]
    (query,) = table.queries
    assert query["IndexName"] == OWNER_INDEX
    assert query["KeyConditionExpression"] == "#owner = :owner"
    assert query["ExpressionAttributeNames"] == {"#owner": OWNER_ATTRIBUTE}
    assert "ConsistentRead" not in query  # a global secondary index refuses it


def test_delete_owned_with_nothing_owned_writes_nothing() -> None:
    table = _Table({})
    assert delete_owned(table, TABLE, "u1", sleep=pytest.fail) == 0
    assert table.batches == []


def test_delete_owned_retries_unprocessed_items_after_growing_pauses() -> None:
    table = _Table({"u1": _keys(30)})
    table.unprocessed = [5, 2, 0]
    pauses: list[float] = []
    assert delete_owned(table, TABLE, "u1", sleep=pauses.append) == 30
    assert table.owned == {"u1": []}
    assert table.batches == [25, 5, 2, 5]
    assert pauses == [RETRY_DELAYS[0], RETRY_DELAYS[1]]


def test_delete_owned_gives_up_after_the_last_retry_and_counts_what_remains() -> None:
    table = _Table({"u1": _keys(30)})
    table.unprocessed = [3] * (len(RETRY_DELAYS) + 1)
    pauses: list[float] = []
    with pytest.raises(ItemsLeftBehind) as raised:
        delete_owned(table, TABLE, "u1", sleep=pauses.append)
    assert (raised.value.cause, raised.value.left) == ("UnprocessedItems", 3)
    assert pauses == list(RETRY_DELAYS)
    # The next batch was still deleted: only those three remain.
    assert len(table.owned["u1"]) == 3


@pytest.mark.parametrize(("operation", "left"), [("Query", None), ("BatchWriteItem", 30)])
def test_delete_owned_turns_a_store_error_into_items_left_behind(
    operation: str, left: int | None
) -> None:
    table = _Table({"u1": _keys(30)})
    table.failure = _error("AccessDeniedException", operation)
    with pytest.raises(ItemsLeftBehind) as raised:
        delete_owned(table, TABLE, "u1", sleep=pytest.fail)
    assert (raised.value.cause, raised.value.left) == ("AccessDeniedException", left)
