"""Store faults injected under the real client: a bounded 503 with Retry-After, nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError
from botocore.retries.standard import ExponentialBackoff

from backend.handler import create_handler
from backend.sign_up import ATTEMPTS
from tests.support.events import api_event
from tests.support.faults import dynamodb_error, faulty_writes
from tests.support.moto import MotoFunction, function_on_moto, function_settings
from tests.support.users import signup


@dataclass
class FaultyFunction:
    """The real handler whose TransactWriteItems attempts are each answered by one fault."""

    function: MotoFunction
    attempts: list[int]


@pytest.fixture
def faulty_store(
    function: MotoFunction, monkeypatch: pytest.MonkeyPatch
) -> Callable[[Any], FaultyFunction]:
    """Route the handler's TransactWriteItems through `fault` (a response or an exception)."""

    def install(fault: Any) -> FaultyFunction:
        def respond() -> AWSResponse:
            if isinstance(fault, Exception):
                raise fault
            return fault

        # The handler's real clients (timeouts, retries, deadline) on moto,
        # except that every attempt of the writing transaction meets the fault.
        session, attempts = faulty_writes(respond)
        settings = function_settings()
        handler = create_handler(lambda: settings, session=session)
        # Keep the retries (their count is asserted) but not their jittered sleeps.
        monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)
        return FaultyFunction(MotoFunction(handler, function.dynamodb), attempts)

    return install


CONFLICT_REASONS = [{"Code": "None"}, {"Code": "TransactionConflict"}, {"Code": "None"}]


@pytest.mark.parametrize(
    ("fault", "retried"),
    [
        pytest.param(dynamodb_error("ThrottlingException"), True, id="throttling"),
        pytest.param(
            dynamodb_error("ProvisionedThroughputExceededException"), True, id="throughput"
        ),
        pytest.param(
            dynamodb_error("TransactionCanceledException", CancellationReasons=CONFLICT_REASONS),
            False,
            id="transaction-conflict",
        ),
        pytest.param(
            ReadTimeoutError(endpoint_url="https://dynamodb.local"), True, id="read-timeout"
        ),
        pytest.param(
            EndpointConnectionError(endpoint_url="https://dynamodb.local"), True, id="unreachable"
        ),
    ],
)
def test_store_fault_answers_503_with_retry_after(
    function: MotoFunction,
    faulty_store: Callable[[Any], FaultyFunction],
    fault: Any,
    retried: bool,
) -> None:
    faulty = faulty_store(fault)
    event = api_event(signup())
    reply = faulty.function.invoke(event)
    assert reply.status == 503, reply.text
    assert reply.codes == ["store_unavailable"]
    assert reply.headers["retry-after"] == "1"
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.body["requestId"] == event["requestContext"]["requestId"]
    # Standard retry mode: 3 attempts. A cancelled transaction is not retried by
    # botocore; the service reads again and retries its decision, boundedly.
    assert len(faulty.attempts) == (3 if retried else ATTEMPTS)
    assert function.user_keys() == []


def test_store_fault_unexpected_error_is_a_500_without_details(
    function: MotoFunction,
    faulty_store: Callable[[Any], FaultyFunction],
    log_lines: list[str],
) -> None:
    reply = faulty_store(dynamodb_error("AccessDeniedException")).function.invoke(
        api_event(signup())
    )
    assert reply.status == 500
    assert reply.codes == ["internal_error"]
    assert "AccessDenied" not in reply.text
    assert function.user_keys() == []
    logged = [json.loads(line) for line in log_lines if '"createUser"' in line]
    assert logged[0]["level"] == "ERROR"
    assert "AccessDeniedException" in logged[0]["exception"]


def test_store_pepper_unavailable_is_a_503(monkeypatch: pytest.MonkeyPatch) -> None:
    # The parameter is not created in moto.
    settings = function_settings(pepper_value=None, pepper_parameter="/signup/test/missing")
    with function_on_moto(monkeypatch, settings) as function:
        reply = function.invoke(api_event(signup()))
        assert (reply.status, reply.codes) == (503, ["store_unavailable"])
        assert function.user_keys() == []
