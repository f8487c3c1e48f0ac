"""Per-stage alarms: the API answering 5xx, the functions failing or throttled, mail failing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from contract.metrics import ACCOUNT_ITEMS_LEFT_BEHIND, MAIL_FAILED
from contract.routes import METRICS_NAMESPACE
from infra.stack.schema import AlarmThresholds

# How far the mail worker may fall behind the stream before it alarms: the
# oldest record of a batch, five minutes after it was written (milliseconds).
MAIL_DELAY_MS: Final = 5 * 60 * 1000

# Every alarm this component makes, by name suffix (bench/cost.py prices each).
SERVICE_ALARMS: Final = (
    *("api-5xx", "lambda-errors", "lambda-throttles", "mail-failures"),
    *("mail-worker-errors", "mail-delayed", "mail-undeliverable"),
    "account-items-left-behind",
)


@dataclass(frozen=True)
class ServiceAlarmsArgs:
    """What to watch and the stage's thresholds."""

    api_id: pulumi.Input[str]
    function_name: pulumi.Input[str]
    # The mail worker (infra/components/mail_worker.py) and the queue of batches it gave up on.
    mail_worker_function_name: pulumi.Input[str]
    mail_failures_queue_name: pulumi.Input[str]
    service: str
    thresholds: AlarmThresholds
    tags: dict[str, str]


class ServiceAlarms(pulumi.ComponentResource):
    """One-minute Sum alarms (the failure queue's depth aside); quiet minutes count as healthy."""

    def __init__(
        self, name: str, args: ServiceAlarmsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("signup:infra:ServiceAlarms", name, None, opts)
        limits = args.thresholds
        self._alarm(
            f"{name}-api-5xx",
            description="The API answered 5xx (store unavailable or a bug)",
            namespace="AWS/ApiGateway",
            metric="5xx",
            # By ApiId alone, a documented dimension of HTTP API metrics: the
            # Stage dimension's value for `$default` could not be confirmed, and
            # a wrong one would leave this alarm silently watching nothing.
            dimensions={"ApiId": args.api_id},
            threshold=limits.api_5xx,
            args=args,
        )
        function = {"FunctionName": args.function_name}
        self._alarm(
            f"{name}-lambda-errors",
            description="The function raised or timed out",
            namespace="AWS/Lambda",
            metric="Errors",
            dimensions=function,
            threshold=limits.lambda_errors,
            args=args,
        )
        self._alarm(
            f"{name}-lambda-throttles",
            description="Invocations were refused: reserved concurrency is exhausted",
            namespace="AWS/Lambda",
            metric="Throttles",
            dimensions=function,
            threshold=limits.lambda_throttles,
            args=args,
        )
        self._alarm(
            f"{name}-mail-failures",
            description="Mails (links or notices) could not be handed to SES",
            namespace=METRICS_NAMESPACE,
            metric=MAIL_FAILED,
            # The function's EMF metrics carry exactly this one dimension.
            dimensions={"service": args.service},
            threshold=limits.mail_failures,
            args=args,
        )
        self._mail_worker_alarms(name, args)
        self._alarm(
            f"{name}-account-items-left-behind",
            description=(
                "A deletion could not remove all of the account's items (it still answered 204;"
                " they open nothing and TTL takes them): check the function's role and boundary"
                " allow Query on the byOwner index and BatchWriteItem"
            ),
            namespace=METRICS_NAMESPACE,
            metric=ACCOUNT_ITEMS_LEFT_BEHIND,
            dimensions={"service": args.service},
            threshold=0,
            args=args,
        )
        self.register_outputs({})

    def _mail_worker_alarms(self, name: str, args: ServiceAlarmsArgs) -> None:
        self._alarm(
            f"{name}-mail-worker-errors",
            description="The mail worker raised or timed out (its batch is retried)",
            namespace="AWS/Lambda",
            metric="Errors",
            dimensions={"FunctionName": args.mail_worker_function_name},
            threshold=args.thresholds.lambda_errors,
            args=args,
        )
        # A record being retried holds up the records after it on its shard,
        # which no Errors alarm sees when the worker reports the failure itself.
        self._alarm(
            f"{name}-mail-delayed",
            description="The mail worker is over five minutes behind the table's stream",
            namespace="AWS/Lambda",
            metric="IteratorAge",
            dimensions={"FunctionName": args.mail_worker_function_name},
            threshold=MAIL_DELAY_MS,
            statistic="Maximum",
            args=args,
        )
        self._alarm(
            f"{name}-mail-undeliverable",
            description=(
                "Mails were given up on after retrying for a link's lifetime: "
                "the queue describes the stream records (shard, sequence numbers)"
            ),
            namespace="AWS/SQS",
            metric="ApproximateNumberOfMessagesVisible",
            dimensions={"QueueName": args.mail_failures_queue_name},
            # One message is one failed batch: any is too many. The metric is
            # a count at a point in time, so the period's highest, not a sum,
            # over five minutes so that the alarm holds steady even if the
            # queue's metrics arrive less often than every minute.
            threshold=0,
            statistic="Maximum",
            period=300,
            args=args,
        )

    def _alarm(
        self,
        name: str,
        *,
        description: str,
        namespace: str,
        metric: str,
        dimensions: dict[str, pulumi.Input[str]],
        threshold: int,
        args: ServiceAlarmsArgs,
        statistic: str = "Sum",
        period: int = 60,
    ) -> None:
        actions = list(args.thresholds.actions)
        aws.cloudwatch.MetricAlarm(
            name,
            alarm_description=description,
            namespace=namespace,
            metric_name=metric,
            dimensions=dimensions,
            statistic=statistic,
            period=period,
            evaluation_periods=1,
            comparison_operator="GreaterThanThreshold",
            threshold=threshold,
            # No traffic is not an outage; without this a quiet dev stage alarms.
            treat_missing_data="notBreaching",
            alarm_actions=actions,
            ok_actions=actions,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
