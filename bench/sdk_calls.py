"""Recording the DynamoDB calls a handler makes: which, with what, and when (bench only)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Call:
    """One DynamoDB API call: its operation, parameters and perf_counter span."""

    operation: str
    params: dict[str, Any]
    started: float
    ended: float


@contextmanager
def recorded() -> Iterator[list[Call]]:
    """Every DynamoDB call made inside (from any thread), appended as each ends."""
    import botocore.client

    calls: list[Call] = []
    lock = threading.Lock()
    real = botocore.client.BaseClient._make_api_call

    def recording(self: Any, operation: str, params: Any) -> Any:
        started = time.perf_counter()
        try:
            return real(self, operation, params)
        finally:
            if self.meta.service_model.service_name == "dynamodb":
                with lock:
                    calls.append(Call(operation, params, started, time.perf_counter()))

    botocore.client.BaseClient._make_api_call = recording
    try:
        yield calls
    finally:
        botocore.client.BaseClient._make_api_call = real


def waiting_seconds(calls: list[Call]) -> float:
    """How long the caller had at least one call in flight: the union of the calls' spans."""
    total, reached = 0.0, float("-inf")
    for call in sorted(calls, key=lambda c: c.started):
        if call.ended > reached:
            total += call.ended - max(call.started, reached)
            reached = call.ended
    return total
