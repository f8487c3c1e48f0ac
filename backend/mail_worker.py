"""The mail worker: a Lambda function fed by the users table's stream, one outbox item a record.

The API function never mails: the transaction that changes a sign-up also
writes an outbox item (`OUTBOX#<id>`), and this worker sends it. On AWS an
event source mapping delivers the stream's INSERT records of outbox items
(NEW_IMAGE); on the local stage a poller of DynamoDB Local's stream calls
this same handler with records of the same shape (infra/local/streams.py).

Each record's item is read again from the table (the record is only a
pointer): an item already sent and deleted is skipped, one whose link has
expired is dropped, a resend request is decided here, off the request path
(`backend/delivery.py`). A failed send leaves the item and fails the record
in the partial batch response, so it is retried until it is sent or expires.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from backend import aws, bootstrap
from backend.config import Settings
from backend.delivery import Delivery
from backend.mailer import Mailer, OutboxMailer, SesMailer
from backend.messages import Mail, MailContext
from backend.store.counters import RateLimiter
from backend.store.outbox import DynamoDBOutbox
from contract.metrics import MAIL_FAILED
from contract.routes import METRICS_NAMESPACE, SERVICE_NAME
from contract.table_keys import OUTBOX_PREFIX, PARTITION_KEY
from contract.tokens import link_key

WorkerHandler = Callable[[dict[str, Any], Any], dict[str, Any]]

aws.quiet_sdk_loggers()
logger = Logger(service=SERVICE_NAME)
metrics = Metrics(namespace=METRICS_NAMESPACE, service=SERVICE_NAME)


def create_worker(
    read_settings: Callable[[], Settings],
    *,
    session: boto3.session.Session | None = None,
    announce: Callable[[Mail], None] | None = None,
    clock: Callable[[], float] = time.time,
) -> WorkerHandler:
    """A stream handler whose clients are built from `read_settings()` on its first batch.

    `session` and `announce` as for backend.handler.create_handler.
    """
    # Every failure is reported per record, even when all of a batch failed:
    # for the event source mapping that is the same as raising, and the
    # local poller reads one answer shape.
    processor = BatchProcessor(
        event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False
    )

    @cache  # only successes are kept: a failed secret read is retried next batch
    def delivery() -> Delivery:
        settings = read_settings()
        base = bootstrap.build(settings, session)
        pepper, dynamodb, aws_session = base.pepper, base.dynamodb, base.session
        table = settings.table_name
        return Delivery(
            outbox=DynamoDBOutbox(table_name=table, client=dynamodb),
            mailer=_mailer(settings, aws_session, announce),
            mail=MailContext(sender=settings.mail_from, web_url=settings.require_web_url()),
            link_key=link_key(pepper),
            link_seconds=settings.verification_ttl_seconds,
            limiter=RateLimiter(table_name=table, client=dynamodb, clock=clock),
            mails_per_address=settings.rate_limit_mails_per_address
            if settings.rate_limits
            else None,
            clock=clock,
            reset_seconds=settings.reset_ttl_seconds,
        )

    def record_handler(record: DynamoDBRecord) -> None:
        pk = str((record.dynamodb.keys if record.dynamodb else {}).get(PARTITION_KEY, ""))
        # Not an outbox item: the event source's filter should not have let it through.
        outcome = delivery().deliver(pk) if pk.startswith(OUTBOX_PREFIX) else "ignored"
        metrics.add_metric(name=f"Mail{outcome.title()}", unit=MetricUnit.Count, value=1)
        logger.info("mail", extra={"outcome": outcome})

    @logger.inject_lambda_context(log_event=False, clear_state=True)
    @metrics.log_metrics
    def handle(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        """Deliver each record's outbox item; the records that failed come back for a retry."""
        answer = process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
        failed = len(answer.get("batchItemFailures", []))
        if failed:
            metrics.add_metric(name=MAIL_FAILED, unit=MetricUnit.Count, value=failed)
        return dict(answer)

    return handle


def _mailer(
    settings: Settings, session: boto3.session.Session, announce: Callable[[Mail], None] | None
) -> Mailer:
    if settings.mail_outbox_dir:
        return OutboxMailer(Path(settings.mail_outbox_dir), announce=announce)
    return SesMailer(
        aws.client(session, "sesv2"),
        sender=settings.mail_from,
        configuration_set=settings.require_configuration_set(),
    )


# What Lambda calls: settings from the function's environment, read on the first batch.
handler = create_worker(lambda: Settings.from_env(os.environ))
