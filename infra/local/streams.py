"""The local stage's stand-in for Lambda's event source mapping: DynamoDB Local's stream, polled.

A thread reads every shard of the table's stream (DynamoDB Streams API,
`dynamodbstreams` client), keeps the INSERT records of outbox items (the
filter the mapping has on AWS), turns them into the records Lambda hands a
function (`Records[]` with `eventSourceARN`, and `ApproximateCreationDateTime`
in epoch seconds) and calls the mail worker's handler with them. Records the
handler reports in `batchItemFailures` (or all of a batch whose call raised)
are handed over again after a growing pause, until they succeed: the worker
drops an item itself once its link has expired.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from contract.table_keys import OUTBOX_DELIVERIES, OUTBOX_PREFIX, PARTITION_KEY
from infra.local.lambda_context import LocalLambdaContext

log = logging.getLogger(__name__)

StreamHandler = Callable[[dict[str, Any], Any], dict[str, Any]]
# Short enough that a mail lands well within a second of the answer.
POLL_SECONDS: Final = 0.05
SHARD_REFRESH_SECONDS: Final = 1.0
FIRST_RETRY_SECONDS: Final = 0.25
MAX_RETRY_SECONDS: Final = 5.0
WORKER_NAME: Final = "signup-mail-worker"


def wanted(record: dict[str, Any]) -> bool:
    """What the worker's filter lets through on AWS (infra/components/mail_worker.py's
    OUTBOX_INSERTS): a new image of an outbox item that no delivery has leased yet."""
    image = record.get("dynamodb", {}).get("NewImage") or {}
    pk = image.get(PARTITION_KEY, {}).get("S", "")
    return pk.startswith(OUTBOX_PREFIX) and OUTBOX_DELIVERIES not in image


def lambda_record(record: dict[str, Any], *, stream_arn: str, region: str) -> dict[str, Any]:
    """A GetRecords record as Lambda passes it to a function."""
    change = dict(record["dynamodb"])
    created = change.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):  # boto3 parses it; Lambda passes epoch seconds
        change["ApproximateCreationDateTime"] = int(created.timestamp())
    return {
        "eventID": record.get("eventID", ""),
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": change,
        "eventSourceARN": stream_arn,
    }


@dataclass
class _Retry:
    records: list[dict[str, Any]]
    due: float
    wait: float


@dataclass
class StreamPoller:
    """Start with `start()`, stop with `stop()`; runs on one daemon thread."""

    client: Any  # a dynamodbstreams client
    stream_arn: str
    handler: StreamHandler
    region: str
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _iterators: dict[str, str] = field(default_factory=dict)
    _seen: set[str] = field(default_factory=set)
    _retries: list[_Retry] = field(default_factory=list)

    def start(self) -> None:
        """Begin polling (from the oldest record the stream keeps)."""
        self._thread = threading.Thread(target=self._run, name="stream-poller", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop polling and wait for the current batch to finish."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _run(self) -> None:
        refreshed = 0.0
        while not self._stop.is_set():
            try:
                if time.monotonic() - refreshed >= SHARD_REFRESH_SECONDS:
                    self._refresh_shards()
                    refreshed = time.monotonic()
                self._poll_shards()
                self._retry_due()
            except Exception:
                log.exception("stream poller")
                self._stop.wait(MAX_RETRY_SECONDS)
            self._stop.wait(POLL_SECONDS)

    def _refresh_shards(self) -> None:
        described = self.client.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        for shard in described.get("Shards", []):
            shard_id = shard["ShardId"]
            if shard_id in self._seen:
                continue
            self._seen.add(shard_id)
            self._iterators[shard_id] = self.client.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]

    def _poll_shards(self) -> None:
        for shard_id, iterator in list(self._iterators.items()):
            answer = self.client.get_records(ShardIterator=iterator, Limit=100)
            following = answer.get("NextShardIterator")
            if following:
                self._iterators[shard_id] = following
            else:
                del self._iterators[shard_id]  # the shard is closed and read to its end
            batch = [
                lambda_record(record, stream_arn=self.stream_arn, region=self.region)
                for record in answer.get("Records", [])
                if wanted(record)
            ]
            if batch:
                self._invoke(batch, FIRST_RETRY_SECONDS)

    def _retry_due(self) -> None:
        now = time.monotonic()
        due = [retry for retry in self._retries if retry.due <= now]
        self._retries = [retry for retry in self._retries if retry.due > now]
        for retry in due:
            self._invoke(retry.records, min(retry.wait * 2, MAX_RETRY_SECONDS))

    def _invoke(self, records: list[dict[str, Any]], wait: float) -> None:
        context = LocalLambdaContext(WORKER_NAME, self.region, timeout_seconds=60)
        try:
            answer = self.handler({"Records": records}, context)
            failed = {item["itemIdentifier"] for item in answer.get("batchItemFailures", [])}
        except Exception:
            log.exception("mail worker raised; its batch will be retried")
            failed = {record["dynamodb"]["SequenceNumber"] for record in records}
        again = [record for record in records if record["dynamodb"]["SequenceNumber"] in failed]
        if again:
            self._retries.append(_Retry(again, time.monotonic() + wait, wait))
