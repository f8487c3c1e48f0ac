"""Store faults injected under the real client: a bounded 503 with Retry-After, nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError
from botocore.retries.standard import ExponentialBackoff

from backend import handler as handler_module
from backend.app import Dependencies
from backend.hashing import PasswordHasher
from backend.rules import PasswordPolicy
from backend.store import UserStore
from tests.unit.conftest import PEPPER, TABLE, Reply, make_event, signup, table_keys

Invoke = Callable[[dict[str, Any]], Reply]


class _Body:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: object) -> Iterator[bytes]:
        yield self._data


def dynamodb_error(code: str, **extra: object) -> AWSResponse:
    """What DynamoDB sends back for an error, as botocore would receive it."""
    body = json.dumps(
        {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": code, **extra}
    )
    headers = {"content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "fault"}
    return AWSResponse("https://dynamodb.local", 400, headers, _Body(body.encode()))


@pytest.fixture
def faulty_store(dynamodb: Any) -> Iterator[Callable[[Any], list[int]]]:
    """Route the handler's TransactWriteItems through `fault` (a response or an exception)."""
    monkeypatch = pytest.MonkeyPatch()

    def install(fault: Any) -> list[int]:
        attempts: list[int] = []

        def before_send(**_: object) -> AWSResponse:
            attempts.append(1)
            if isinstance(fault, Exception):
                raise fault
            return fault

        # The handler's real client configuration (timeouts, retries), aimed at
        # an address where nothing listens and moto does not intercept: every
        # attempt is answered by the fault, and nothing can be written.
        client = boto3.client(
            "dynamodb",
            region_name="eu-west-1",
            endpoint_url="http://127.0.0.1:9",
            config=handler_module.CLIENT_CONFIG,
        )
        client.meta.events.register_first("before-send.dynamodb.TransactWriteItems", before_send)
        deps = Dependencies(
            policy=PasswordPolicy(),
            hasher=PasswordHasher(PEPPER.encode(), cost=4),
            store=UserStore(table_name=TABLE, client=client),
        )
        monkeypatch.setattr(handler_module, "dependencies", lambda: deps)
        # Keep the retries (their count is asserted) but not their jittered sleeps.
        monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)
        return attempts

    yield install
    monkeypatch.undo()


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
    invoke: Invoke,
    dynamodb: Any,
    faulty_store: Callable[[Any], list[int]],
    fault: Any,
    retried: bool,
) -> None:
    attempts = faulty_store(fault)
    event = make_event(signup())
    reply = invoke(event)
    assert reply.status == 503, reply.text
    assert reply.codes == ["store_unavailable"]
    assert reply.headers["retry-after"] == "1"
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.body["requestId"] == event["requestContext"]["requestId"]
    assert len(attempts) == (3 if retried else 1)  # standard retry mode, bounded
    assert table_keys(dynamodb) == []


def test_store_fault_unexpected_error_is_a_500_without_details(
    invoke: Invoke,
    dynamodb: Any,
    faulty_store: Callable[[Any], list[int]],
    no_secret_in_logs: list[str],
) -> None:
    faulty_store(dynamodb_error("AccessDeniedException"))
    reply = invoke(make_event(signup()))
    assert reply.status == 500
    assert reply.codes == ["internal_error"]
    assert "AccessDenied" not in reply.text
    assert table_keys(dynamodb) == []
    logged = [json.loads(line) for line in no_secret_in_logs if '"createUser"' in line]
    assert logged[0]["level"] == "ERROR"
    assert "AccessDeniedException" in logged[0]["exception"]


def test_store_pepper_unavailable_is_a_503(
    invoke: Invoke, dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PASSWORD_PEPPER")
    monkeypatch.setenv("PEPPER_PARAMETER", "/signup/test/missing")  # not created in moto
    reply = invoke(make_event(signup()))
    assert (reply.status, reply.codes) == (503, ["store_unavailable"])
    assert table_keys(dynamodb) == []
