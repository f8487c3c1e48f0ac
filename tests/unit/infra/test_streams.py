"""The local stage's stream poller: which records it hands the mail worker, in Lambda's shape,
and what it hands over again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from infra.local.streams import StreamPoller, lambda_record, wanted

ARN = "arn:aws:dynamodb:ddblocal:000000000000:table/users/stream/2026-12-03T00:00:00.000"


def record(pk: str, event: str = "INSERT", sequence: str = "1") -> dict[str, Any]:
    """A record as the DynamoDB Streams API (boto3) returns it."""
    return {
        "eventID": f"e{sequence}",
        "eventName": event,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "ddblocal",
        "dynamodb": {
            "ApproximateCreationDateTime": datetime(2026, 12, 3, tzinfo=UTC),
            "Keys": {"pk": {"S": pk}},
            "NewImage": {"pk": {"S": pk}},
            "SequenceNumber": sequence,
            "SizeBytes": 30,
            "StreamViewType": "NEW_IMAGE",
        },
    }


def test_streams_hand_over_only_inserts_of_outbox_items() -> None:
    assert wanted(record("OUTBOX#1"))
    assert not wanted(record("OUTBOX#1", event="REMOVE"))
    assert not wanted(record("OUTBOX#1", event="MODIFY"))
    assert not wanted(record("USER#1"))


def test_streams_records_have_lambdas_shape() -> None:
    shaped = lambda_record(record("OUTBOX#1"), stream_arn=ARN, region="us-east-1")
    assert shaped["eventSourceARN"] == ARN
    assert shaped["awsRegion"] == "us-east-1"
    assert shaped["dynamodb"]["ApproximateCreationDateTime"] == 1796256000
    assert shaped["dynamodb"]["Keys"] == {"pk": {"S": "OUTBOX#1"}}


def test_streams_hand_failed_records_over_again() -> None:
    calls: list[list[str]] = []

    def worker(event: dict[str, Any], context: Any) -> dict[str, Any]:
        sequences = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
        calls.append(sequences)
        failed = sequences[:1] if len(calls) == 1 else []
        return {"batchItemFailures": [{"itemIdentifier": s} for s in failed]}

    poller = StreamPoller(client=None, stream_arn=ARN, handler=worker, region="us-east-1")
    shaped = [
        lambda_record(record("OUTBOX#1", sequence=s), stream_arn=ARN, region="r")
        for s in ("1", "2")
    ]
    poller._invoke(shaped, 0.0)
    poller._retry_due()
    assert calls == [["1", "2"], ["1"]]
    poller._retry_due()
    assert calls == [["1", "2"], ["1"]]  # it went through: nothing more to retry


def test_streams_retry_a_whole_batch_when_the_worker_raises() -> None:
    calls: list[int] = []

    def worker(event: dict[str, Any], context: Any) -> dict[str, Any]:
        calls.append(len(event["Records"]))
        if len(calls) == 1:
            raise RuntimeError("the worker's first call failed")
        return {"batchItemFailures": []}

    poller = StreamPoller(client=None, stream_arn=ARN, handler=worker, region="us-east-1")
    poller._invoke([lambda_record(record("OUTBOX#1"), stream_arn=ARN, region="r")], 0.0)
    poller._retry_due()
    assert calls == [1, 1]
