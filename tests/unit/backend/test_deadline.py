"""One deadline per request: an AWS attempt that could outlast the invocation is never started."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.retries.standard import ExponentialBackoff

from backend.deadline import RESERVE_SECONDS, attempt_guard, request_deadline, seconds_left
from backend.errors import OutOfTime
from backend.handler import create_handler
from tests.support.events import api_event
from tests.support.faults import dynamodb_error, faulty_writes
from tests.support.moto import MotoFunction, function_settings, lambda_context
from tests.support.users import signup


def test_deadline_is_the_remaining_time_less_the_reserve() -> None:
    assert seconds_left() is None
    with request_deadline(10_000):
        left = seconds_left()
        assert left is not None and 10 - RESERVE_SECONDS - 0.5 < left <= 10 - RESERVE_SECONDS
    assert seconds_left() is None


def test_deadline_guard_lets_an_attempt_start_while_it_fits() -> None:
    guard: Callable[..., None] = attempt_guard(3.0)  # type: ignore[assignment]
    guard()  # outside a request: nothing to enforce
    with request_deadline(int((3.0 + RESERVE_SECONDS + 1) * 1000)):
        guard()


def test_deadline_guard_refuses_an_attempt_that_could_overrun() -> None:
    guard: Callable[..., None] = attempt_guard(3.0)  # type: ignore[assignment]
    with request_deadline(int((3.0 + RESERVE_SECONDS - 0.5) * 1000)), pytest.raises(OutOfTime):
        guard()


def test_deadline_turns_slow_store_retries_into_the_backends_own_503(
    function: MotoFunction, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each attempt is throttled after 1.5 s. With 5 s left (4 s to the deadline)
    # the first attempt may start, a second could end after the deadline.
    def slow_throttle() -> AWSResponse:
        time.sleep(1.5)
        return dynamodb_error("ThrottlingException")

    session, attempts = faulty_writes(slow_throttle)
    settings = function_settings()
    handler = create_handler(lambda: settings, session=session)
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)
    started = time.monotonic()
    response: dict[str, Any] = handler(api_event(signup()), lambda_context(timeout_seconds=5))
    elapsed = time.monotonic() - started
    assert response["statusCode"] == 503
    assert response["headers"]["retry-after"] == "1"
    assert '"store_unavailable"' in response["body"]
    assert len(attempts) == 1  # the second attempt was never started
    assert elapsed < 5 - RESERVE_SECONDS / 2  # answered before the invocation would end
    assert function.user_keys() == []
