"""The page's alarms: the load balancer's view of the tasks (healthy count, unhealthy, 5xx).

Fewer healthy targets than the stage's desiredCount is also how "fewer tasks
running than desired" shows, without Container Insights' per-task metrics.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from infra.components.page.balancer import Balancer
from infra.stack.schema import StageConfig

# What infra/web adds to the stage's alarms (bench/cost.py counts them).
PAGE_ALARMS: Final = ("healthy-hosts", "unhealthy-hosts", "target-5xx")


@dataclass(frozen=True)
class _Alarm:
    suffix: str
    description: str
    metric: str
    statistic: str
    comparison: str
    threshold: float
    # No data from the balancer about its targets means none is answering.
    missing: str


def create_page_alarms(
    name: str,
    *,
    stage: StageConfig,
    balancer: Balancer,
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> None:
    """One-minute alarms on the target group, with the stage's alarm actions."""
    alarms = (
        _Alarm(
            PAGE_ALARMS[0],
            "Fewer healthy tasks than web.desiredCount behind the load balancer",
            "HealthyHostCount",
            "Minimum",
            "LessThanThreshold",
            stage.web.desired_count,
            "breaching",
        ),
        _Alarm(
            PAGE_ALARMS[1],
            "A task fails the load balancer's health check",
            "UnHealthyHostCount",
            "Maximum",
            "GreaterThanThreshold",
            0,
            "notBreaching",
        ),
        _Alarm(
            PAGE_ALARMS[2],
            "The web backend answered 5xx",
            "HTTPCode_Target_5XX_Count",
            "Sum",
            "GreaterThanThreshold",
            0,
            "notBreaching",
        ),
    )
    dimensions = {
        "LoadBalancer": balancer.load_balancer.arn_suffix,
        "TargetGroup": balancer.target_group.arn_suffix,
    }
    actions = list(stage.alarms.actions)
    for alarm in alarms:
        aws.cloudwatch.MetricAlarm(
            f"{name}-{alarm.suffix}",
            alarm_description=alarm.description,
            namespace="AWS/ApplicationELB",
            metric_name=alarm.metric,
            dimensions=dimensions,
            statistic=alarm.statistic,
            period=60,
            evaluation_periods=2,
            comparison_operator=alarm.comparison,
            threshold=alarm.threshold,
            treat_missing_data=alarm.missing,
            alarm_actions=actions,
            ok_actions=actions,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=parent),
        )
