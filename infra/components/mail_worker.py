"""Mail off the request path on AWS: the table's stream feeds the mail worker function.

The API function's transaction writes an outbox item (key `OUTBOX#...`) with
the state change it reports; an event source mapping hands each new outbox
item to `backend.mail_worker.handler`, which reports per-record failures
(Powertools' batch utility). Lambda retries a failed record for as long as
its link lives, and describes what it finally gives up on in an encrypted
queue that alarms (infra/components/alarms.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import ClassVar, Final

import pulumi
import pulumi_aws as aws

from contract.table_keys import OUTBOX_DELIVERIES, OUTBOX_PREFIX, PARTITION_KEY
from infra.components.api_function import SignupFunction, SignupFunctionArgs, read_secure_parameter

# Only new outbox items: Lambda drops every other record before invoking (so
# the worker never sees users, claims, counters or its own updates and
# deletes). DynamoDB event source mappings filter only on the record's
# `dynamodb` key (AWS Lambda guide, "Using event filtering with a DynamoDB
# event source"), so an insert is told by its image, not by `eventName`: a
# new image (a delete has none) of an outbox key, matched by prefix, that no
# delivery has leased yet (the lease adds OUTBOX_DELIVERIES; the Exists
# operator matches leaf nodes, here the attribute's type).
OUTBOX_INSERTS: Final = {
    "dynamodb": {
        "NewImage": {
            PARTITION_KEY: {"S": [{"prefix": OUTBOX_PREFIX}]},
            OUTBOX_DELIVERIES: {"N": [{"exists": False}]},
        }
    }
}
# Small batches, sent as soon as records arrive (a zero batching window): a
# sign-up's mail should leave within about a second, and one slow send should
# hold up few others. Ten is also the most Lambda takes without a window.
BATCH_SIZE: Final = 10
BATCHING_WINDOW_SECONDS: Final = 0
# The most attempts Lambda allows (-1, unbounded, aside), so that the record
# age below, not the count, is what normally ends the retries of a failed send.
# A shard's records are handed over in order: while one is retried, those
# after it wait, so the worker should report only failures worth retrying.
MAX_RETRY_ATTEMPTS: Final = 10_000
# Lambda's bounds for MaximumRecordAgeInSeconds.
_MIN_RECORD_AGE: Final = 60
_MAX_RECORD_AGE: Final = 7 * 24 * 3600
# Records of failed batches are kept for SQS's longest retention: 14 days to look.
FAILURE_RETENTION_SECONDS: Final = 14 * 24 * 3600


def retry_window_seconds(verification_ttl_seconds: int) -> int:
    """How long a failed send is retried: as long as its link can be used, within Lambda's bounds.

    DynamoDB Streams keeps a record for a day, so a link that lives longer
    is still retried for at most a day.
    """
    return min(max(verification_ttl_seconds, _MIN_RECORD_AGE), _MAX_RECORD_AGE)


@dataclass(frozen=True)
class MailFeed:
    """The stream the mail worker is fed from and the queue its undeliverable batches go to."""

    stream_arn: pulumi.Input[str]
    failures_queue_arn: pulumi.Input[str]


class MailWorkerFunction(SignupFunction):
    """Lambda running `backend.mail_worker.handler`: the API's code and environment, mail only."""

    TYPE: ClassVar[str] = "signup:infra:MailWorkerFunction"
    HANDLER: ClassVar[str] = "backend.mail_worker.handler"
    DESCRIPTION: ClassVar[str] = "The mail worker: sends each new outbox item, fed by the stream"
    # A batch of BATCH_SIZE sends to SES, each with its client's retries:
    # more room than the API's per-request deadline.
    TIMEOUT_SECONDS: ClassVar[int] = 60
    # The stream bounds its concurrency: one batch per shard at a time (the
    # mapping's parallelization factor stays at its default, 1).
    RESERVES_CONCURRENCY: ClassVar[bool] = False

    def __init__(
        self,
        name: str,
        args: SignupFunctionArgs,
        feed: MailFeed,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        # Read by _grants, which the base constructor calls.
        self._feed = feed
        super().__init__(name, args, opts)

    def _grants(self, args: SignupFunctionArgs) -> list[dict[str, object]]:
        """The stream, the outbox items, SES, the pepper and the failure queue; nothing else."""
        return [
            # The four actions the DynamoDB developer guide grants a function
            # fed by a stream, on this table's stream alone: the event source
            # mapping polls the stream with the function's role.
            {
                "Sid": "ReadTableStream",
                "Effect": "Allow",
                "Action": [
                    "dynamodb:DescribeStream",
                    "dynamodb:GetRecords",
                    "dynamodb:GetShardIterator",
                    "dynamodb:ListStreams",
                ],
                "Resource": [self._feed.stream_arn],
            },
            # Read an outbox item, settle it once sent (so a record delivered
            # twice sends one mail), delete it. No PutItem: it creates nothing.
            {
                "Sid": "SettleOutbox",
                "Effect": "Allow",
                # Deciding a resend or a reset puts its token and outbox items
                # in one transaction, which is authorised per contained action.
                "Action": [
                    "dynamodb:ConditionCheckItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                ],
                "Resource": [args.table_arn],
            },
            # SES v2 authorises SendEmail against the sending identity and the
            # configuration set; ses:FromAddress pins the From address.
            {
                "Sid": "SendMail",
                "Effect": "Allow",
                "Action": ["ses:SendEmail"],
                "Resource": [args.mail_identity_arn, args.mail_configuration_set_arn],
                "Condition": {"StringEquals": {"ses:FromAddress": args.mail_from_address}},
            },
            # Links are made with a key derived from the pepper.
            *read_secure_parameter("Pepper", args.pepper_parameter_arn, args.pepper_key_arn),
            # Lambda sends a discarded batch's description to the mapping's
            # on-failure destination with the function's role.
            {
                "Sid": "ReportUndeliverable",
                "Effect": "Allow",
                "Action": ["sqs:SendMessage"],
                "Resource": [self._feed.failures_queue_arn],
            },
        ]


@dataclass(frozen=True)
class MailWorkerArgs:
    """The API function's arguments (same code, sizing and environment) and the table's stream."""

    function: SignupFunctionArgs
    stream_arn: pulumi.Input[str]


class MailWorker(pulumi.ComponentResource):
    """The worker function, the mapping that feeds it, and the queue of what it could not send."""

    failures_queue: aws.sqs.Queue
    worker: MailWorkerFunction
    feed: aws.lambda_.EventSourceMapping

    def __init__(
        self, name: str, args: MailWorkerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("signup:infra:MailWorker", name, None, opts)
        tags = args.function.tags
        self.failures_queue = aws.sqs.Queue(
            f"{name}-failures",
            message_retention_seconds=FAILURE_RETENTION_SECONDS,
            # Encrypted at rest with SQS-owned keys (SSE-SQS): the messages
            # describe failed batches (shard, sequence numbers), no mail.
            sqs_managed_sse_enabled=True,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        # Named like the component: the Lambda function is `name` itself.
        self.worker = MailWorkerFunction(
            name,
            args.function,
            MailFeed(stream_arn=args.stream_arn, failures_queue_arn=self.failures_queue.arn),
            pulumi.ResourceOptions(parent=self),
        )
        queue_policy = self._create_queue_policy(name)
        self.feed = self._create_feed(name, args, queue_policy)
        self.register_outputs(
            {
                "functionName": self.worker.function.name,
                "failuresQueueUrl": self.failures_queue.url,
            }
        )

    def _create_queue_policy(self, name: str) -> aws.sqs.QueuePolicy:
        queue_arn = self.failures_queue.arn
        role_arn = self.worker.role.arn
        document = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "WorkerReportsUndeliverable",
                    "Effect": "Allow",
                    "Principal": {"AWS": role_arn},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                },
                # Whatever else an identity policy in the account allows, only
                # the worker's role may write here: a message is an alarm.
                {
                    "Sid": "NobodyElseSends",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                    "Condition": {"ArnNotEquals": {"aws:PrincipalArn": role_arn}},
                },
            ],
        }
        return aws.sqs.QueuePolicy(
            f"{name}-failures-policy",
            queue_url=self.failures_queue.url,
            policy=pulumi.Output.json_dumps(document),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _create_feed(
        self, name: str, args: MailWorkerArgs, queue_policy: aws.sqs.QueuePolicy
    ) -> aws.lambda_.EventSourceMapping:
        return aws.lambda_.EventSourceMapping(
            f"{name}-feed",
            event_source_arn=args.stream_arn,
            function_name=self.worker.function.arn,
            # Everything the stream still holds: outbox items written before the
            # mapping existed (or while it was replaced) are sent, not lost; the
            # worker settles each item, so a record seen twice mails once.
            starting_position="TRIM_HORIZON",
            filter_criteria={"filters": [{"pattern": json.dumps(OUTBOX_INSERTS)}]},
            batch_size=BATCH_SIZE,
            maximum_batching_window_in_seconds=BATCHING_WINDOW_SECONDS,
            # The worker answers which records failed; Lambda retries from the
            # first of them, and splits a batch whose invocation failed outright
            # (splitting does not use up retry attempts).
            function_response_types=["ReportBatchItemFailures"],
            bisect_batch_on_function_error=True,
            maximum_retry_attempts=MAX_RETRY_ATTEMPTS,
            maximum_record_age_in_seconds=retry_window_seconds(
                args.function.stage.verification_ttl_seconds
            ),
            destination_config={"on_failure": {"destination_arn": self.failures_queue.arn}},
            tags=args.function.tags,
            # Lambda checks the role can read the stream when the mapping is
            # made: the function (created after its policy) and the queue's
            # policy come first.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[queue_policy]),
        )
