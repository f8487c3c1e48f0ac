"""AWS error answers as botocore receives them, for injecting faults under the real clients."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import boto3
from botocore.awsrequest import AWSPreparedRequest, AWSResponse


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


# Where faulted requests are re-aimed: nothing listens there and moto's
# stubber does not recognise it, so the fault is the only answer and the
# write never reaches moto's table.
_NOWHERE = "http://127.0.0.1:9/"


def faulty_writes(respond: Callable[[], AWSResponse]) -> tuple[boto3.session.Session, list[int]]:
    """A session whose every TransactWriteItems attempt is answered by `respond()`.

    `respond` may raise (a timeout, an unreachable endpoint) instead. Reads go
    to moto as usual. Returns the session and the list that counts attempts.
    """
    attempts: list[int] = []

    def before_send(request: AWSPreparedRequest, **_: object) -> AWSResponse:
        attempts.append(1)
        request.url = _NOWHERE
        return respond()

    session = boto3.session.Session(region_name="eu-west-1")
    session.events.register_first("before-send.dynamodb.TransactWriteItems", before_send)
    return session, attempts
