"""Conditional writes to the users table: the expression plumbing every store shares."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from backend.store import items
from backend.store.failures import Verdict, changed_unless_throttled, translated
from contract.table_keys import PARTITION_KEY, TTL_ATTRIBUTE

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

# `status` is a DynamoDB reserved word; the others are named for brevity.
NAMES: Final = {"#pk": PARTITION_KEY, "#exp": TTL_ATTRIBUTE, "#uid": "userId", "#status": "status"}
ABSENT: Final = "attribute_not_exists(#pk)"
EXPIRED: Final = "#exp < :now"


class TableWriter:
    """The table and its client (built once per container and injected), and write builders."""

    def __init__(self, *, table_name: str, client: DynamoDBClient) -> None:
        self._table = table_name
        self._client = client

    def _get(self, pk: str) -> items.Item | None:
        with translated():
            found = self._client.get_item(
                TableName=self._table, Key=items.key(pk), ConsistentRead=True
            )
        return found.get("Item")

    def _transact(self, operations: list[dict[str, Any]], verdict: Verdict | None = None) -> None:
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
        names = {name: value for name, value in NAMES.items() if name in text}
        expression: dict[str, Any] = {"TableName": self._table, "ConditionExpression": condition}
        # DynamoDB refuses an empty map as well (moto does not).
        if names:
            expression["ExpressionAttributeNames"] = names
        if values:
            expression["ExpressionAttributeValues"] = values
        return expression

    def _check(self, pk: str, condition: str, values: dict[str, Any]) -> Any:
        return {"ConditionCheck": self._expression(condition, values) | {"Key": items.key(pk)}}
