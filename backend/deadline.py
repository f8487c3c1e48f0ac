"""One deadline per request, derived from the invocation's remaining time.

boto3's timeouts and retries are fixed per client, so SSM's retries and then
DynamoDB's could together outlast the function's timeout and end as a bare
Lambda timeout (a 500 from API Gateway). Instead every attempt of every AWS
call first checks the request's deadline and, when a whole attempt no longer
fits, refuses to start: the request ends as the backend's own 503.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final

from backend.errors import OutOfTime

# Kept back from the invocation's remaining time: enough to hash a password
# and to build, log and return the answer after the last attempt has ended.
RESERVE_SECONDS: Final = 1.0

_deadline: ContextVar[float | None] = ContextVar("deadline", default=None)


@contextmanager
def request_deadline(remaining_ms: int, *, reserve: float = RESERVE_SECONDS) -> Iterator[None]:
    """Within this block, AWS calls must end `reserve` seconds before the invocation does."""
    token = _deadline.set(time.monotonic() + remaining_ms / 1000 - reserve)
    try:
        yield
    finally:
        _deadline.reset(token)


def seconds_left() -> float | None:
    """Seconds until the current request's deadline; None outside a request."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()


def attempt_guard(attempt_seconds: float) -> object:
    """A botocore `before-send` hook refusing an attempt that could end after the deadline."""

    def refuse_late_attempt(**_: object) -> None:
        left = seconds_left()
        if left is not None and left < attempt_seconds:
            raise OutOfTime(f"{max(left, 0.0):.1f} s left, an attempt may take {attempt_seconds} s")

    return refuse_late_attempt
