"""What one registration asks of DynamoDB and of the mail worker, counted from its calls.

A registration is a sign-up as the page sends it (with an Idempotency-Key),
the mail worker sending its link, and the verification that follows. The
real handler and worker run on moto; every DynamoDB call they make is
recorded, and request units follow DynamoDB's documented on-demand rules
(items under 1 KB: the run checks that every item it leaves is):

- a write (PutItem, UpdateItem, DeleteItem, each request of a
  BatchWriteItem) is 1 write unit, whether or not its condition holds;
- each action of a TransactWriteItems is 2 write units ("transactional
  write requests require 2 write request units"); a ConditionCheck is
  counted like the writes beside it, so the figure errs on the dear side;
- an item written into the sparse owner index (a link, which names its
  account) costs one more write unit, as an index write does;
- a strongly consistent read of an item up to 4 KB (GetItem, each key of a
  BatchGetItem) is 1 read unit, an eventually consistent one half of that,
  and each item of a TransactGetItems 2.

`python -m bench.units` prints the counts as JSON (bench/cost.py prices them).
"""

from __future__ import annotations

import json
import secrets
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from bench.inprocess import print_quietly, run_worker
from bench.latency import signup_body
from bench.sdk_calls import Call, recorded
from bench.stats import median
from contract.table_keys import OWNER_ATTRIBUTE

SMALL_ITEM_BYTES: Final = 1024
SAMPLES: Final = 5  # registrations counted (their counts must agree) and worker runs timed


@dataclass(frozen=True)
class Units:
    """One registration's DynamoDB request units, calls and mail-worker work."""

    write: float
    read: float
    calls: dict[str, int] = field(default_factory=dict)
    worker_invocations: int = 1
    worker_ms: float = 0.0  # p50 of one worker invocation sending one link, in process
    largest_item: int = 0  # bytes, by DynamoDB's item-size rule


def units_of(operation: str, params: dict[str, Any]) -> tuple[float, float]:
    """(write units, read units) one call of `operation` consumes, items under 1 KB, with the
    owner index's own writes (one unit per item written into it)."""
    consistent = 1.0 if params.get("ConsistentRead") else 0.5
    if operation in ("PutItem", "UpdateItem", "DeleteItem"):
        return 1.0 + _index_writes(params), 0.0
    if operation == "BatchWriteItem":
        return float(sum(len(requests) for requests in params["RequestItems"].values())), 0.0
    if operation == "TransactWriteItems":
        actions = [next(iter(action.values())) for action in params["TransactItems"]]
        return 2.0 * len(actions) + sum(_index_writes(a) for a in actions), 0.0
    if operation == "GetItem":
        return 0.0, consistent
    if operation == "BatchGetItem":
        keys = params["RequestItems"].values()
        return 0.0, sum(len(k["Keys"]) * (1.0 if k.get("ConsistentRead") else 0.5) for k in keys)
    if operation == "TransactGetItems":
        return 0.0, 2.0 * len(params["TransactItems"])
    raise ValueError(f"no unit rule for {operation}")


def units_of_calls(calls: Iterable[Call]) -> tuple[float, float]:
    """(write units, read units) these calls consume together."""
    units = [units_of(call.operation, call.params) for call in calls]
    return sum(u[0] for u in units), sum(u[1] for u in units)


def _index_writes(request: dict[str, Any]) -> int:
    """1 when the write puts an item into the sparse owner index (a put of an item naming its
    owner, or an update that sets the owner); DynamoDB writes an index only then (keys only,
    so other updates of such an item leave it alone). A delete of an owned item would be one
    too; no registration deletes one, so none is counted."""
    if OWNER_ATTRIBUTE in request.get("Item", {}):
        return 1
    names = request.get("ExpressionAttributeNames", {}).values()
    return int(OWNER_ATTRIBUTE in request.get("UpdateExpression", "") or OWNER_ATTRIBUTE in names)


def item_size(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB counts it: names plus values (strings in UTF-8, numbers
    at most 21 bytes, one byte per set or map overhead kept simple)."""
    size = 0
    for name, value in item.items():
        size += len(name.encode())
        ((kind, inner),) = value.items()
        if kind in ("S", "B"):
            size += len(str(inner).encode())
        elif kind == "N":
            size += min(21, len(str(inner)))
        elif kind in ("SS", "NS", "BS"):
            size += sum(len(str(member).encode()) for member in inner)
        else:  # BOOL, NULL, M, L: none holds much in this table
            size += len(json.dumps(inner))
    return size


def _count(cost: int) -> dict[str, Any]:
    from bench.flows import newest_token
    from bench.inprocess import handler_on_moto
    from contract.headers import IDEMPOTENCY_KEY
    from contract.routes import CREATE_USER, VERIFY_EMAIL

    tallies: list[tuple[float, float, dict[str, int]]] = []
    worker_seconds: list[float] = []
    with handler_on_moto(cost) as harness:
        for index in range(-1, SAMPLES):  # the first warms the handler's clients up
            body = signup_body(f"u{secrets.token_hex(3)}", index)
            key = ((IDEMPOTENCY_KEY, secrets.token_hex(16)),)
            with recorded() as sign_up:
                if harness.call(CREATE_USER.path, body, key) != 200:
                    raise RuntimeError("a sign-up failed")
            with recorded() as worker:
                worker_seconds.append(harness.deliver())
            token = newest_token(harness.outbox, body["email"])
            with recorded() as verify:
                confirm = {"token": token, "password": body["password"]}
                if harness.call(VERIFY_EMAIL.path, confirm) != 200:
                    raise RuntimeError("a verification failed")
            # The harness finds outbox items with a Scan, as no function does: not counted.
            calls = [c for c in (*sign_up, *worker, *verify) if c.operation != "Scan"]
            if index >= 0:
                write, read = units_of_calls(calls)
                tallies.append((write, read, dict(Counter(c.operation for c in calls))))
        pages = harness.dynamodb.get_paginator("scan").paginate(TableName=harness.table)
        largest = max(item_size(item) for page in pages for item in page["Items"])
    if len({(w, r) for w, r, _ in tallies}) != 1:
        raise RuntimeError(f"registrations differ in their units: {tallies}")
    write, read, calls_by_operation = tallies[0]
    return {
        "write": write,
        "read": read,
        "calls": calls_by_operation,
        "worker_invocations": 1,
        "worker_ms": median(worker_seconds[1:]) * 1000,
        "largest_item": largest,
    }


def measure(cost: int) -> Units:
    """One registration's units at bcrypt `cost`, counted in a worker interpreter."""
    counted = run_worker("bench.units", cost)
    if counted["largest_item"] > SMALL_ITEM_BYTES:
        raise RuntimeError(
            f"an item of {counted['largest_item']} bytes: the unit rules assume 1 KB"
        )
    return Units(**counted)


def main(argv: list[str]) -> None:
    """Worker entry: `python -m bench.units COST` prints the counts as JSON."""
    cost = int(argv[0]) if argv else 4
    print_quietly(lambda: _count(cost))


if __name__ == "__main__":
    main(sys.argv[1:])
