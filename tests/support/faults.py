"""AWS error answers as botocore receives them, for injecting faults under the real clients."""

from __future__ import annotations

import json
from collections.abc import Iterator

from botocore.awsrequest import AWSResponse


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
