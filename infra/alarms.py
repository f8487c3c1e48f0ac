"""Per-stage alarms: the API answering 5xx, the function failing or throttled, mail failing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from contract.routes import METRICS_NAMESPACE
from infra.config import AlarmThresholds

# Every alarm this component makes, by name suffix (bench/cost.py prices each).
SERVICE_ALARMS: Final = ("api-5xx", "lambda-errors", "lambda-throttles", "mail-failures")


@dataclass(frozen=True)
class ServiceAlarmsArgs:
    """What to watch and the stage's thresholds."""

    api_id: pulumi.Input[str]
    function_name: pulumi.Input[str]
    service: str
    thresholds: AlarmThresholds
    tags: dict[str, str]


class ServiceAlarms(pulumi.ComponentResource):
    """One-minute Sum alarms; quiet minutes count as healthy."""

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
            metric="MailFailed",
            # The function's EMF metrics carry exactly this one dimension.
            dimensions={"service": args.service},
            threshold=limits.mail_failures,
            args=args,
        )
        self.register_outputs({})

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
    ) -> None:
        actions = list(args.thresholds.actions)
        aws.cloudwatch.MetricAlarm(
            name,
            alarm_description=description,
            namespace=namespace,
            metric_name=metric,
            dimensions=dimensions,
            statistic="Sum",
            period=60,
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
