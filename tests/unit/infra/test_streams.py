"""The local stage's stream poller: which records it hands the mail worker, in Lambda's shape,
and what it hands over again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from infra.local.streams import StreamPoller, lambda_record, wanted

ARN = "arn:aws:dynamodb:ddblocal:000000000000:table/users/stream/2026-12-03T00:00:00.000"


def record(
    pk: str, event: str = "INSERT", sequence: str = "1", image: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A record as the DynamoDB Streams API (boto3) returns it (NEW_IMAGE: none on REMOVE)."""
    new_image = {"pk": {"S": pk}, **(image or {})}
    change: dict[str, Any] = {
        "ApproximateCreationDateTime": datetime(2026, 12, 3, tzinfo=UTC),
        "Keys": {"pk": {"S": pk}},
        "SequenceNumber": sequence,
        "SizeBytes": 30,
        "StreamViewType": "NEW_IMAGE",
    }
    if event != "REMOVE":
        change["NewImage"] = new_image
    return {
        "eventID": f"e{sequence}",
        "eventName": event,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "ddblocal",
        "dynamodb": change,
    }


def test_streams_hand_over_only_inserts_of_outbox_items() -> None:
    leased = {"deliveries": {"N": "1"}, "leaseUntil": {"N": "1796256060"}}
    assert wanted(record("OUTBOX#1"))
    assert not wanted(record("OUTBOX#1", event="REMOVE"))  # no new image
    assert not wanted(record("OUTBOX#1", event="MODIFY", image=leased))  # a lease
    released = {"deliveries": {"N": "1"}}
    assert not wanted(record("OUTBOX#1", event="MODIFY", image=released))
    assert not wanted(record("USER#1"))


def test_the_local_filter_is_the_mappings_pattern() -> None:
    # The AWS filter, applied by hand: the same records pass as through `wanted`.
    from infra.components.mail_worker import OUTBOX_INSERTS

    pattern = OUTBOX_INSERTS["dynamodb"]["NewImage"]
    prefix = pattern["pk"]["S"][0]["prefix"]
    assert pattern["deliveries"] == {"N": [{"exists": False}]}
    assert list(OUTBOX_INSERTS) == ["dynamodb"]  # nothing outside the `dynamodb` key
    for candidate in (
        record("OUTBOX#1"),
        record("OUTBOX#1", event="REMOVE"),
        record("OUTBOX#1", event="MODIFY", image={"deliveries": {"N": "2"}}),
        record("USER#1"),
    ):
        image = candidate["dynamodb"].get("NewImage")
        by_pattern = bool(image) and image["pk"]["S"].startswith(prefix)
        by_pattern = by_pattern and "deliveries" not in image
        assert wanted(candidate) == by_pattern


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
