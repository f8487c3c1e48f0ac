"""The internal Application Load Balancer in front of the web backend: CloudFront's only door.

It has no public address and sits in subnets with no route out: the only
way in is CloudFront's VPC origin (edge.py), admitted by the security group
CloudFront gives the VPC origin's interfaces. No shared secret header: there
is nothing outside AWS's network to tell apart from CloudFront.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from infra.components.page.network import Network
from signup_web.hosting import BACKEND_PORT, HEALTH_PATH

HTTP_PORT: Final = 80
HTTPS_PORT: Final = 443
# AWS's recommended policy for new listeners: TLS 1.3 and 1.2 only.
TLS_POLICY: Final = "ELBSecurityPolicy-TLS13-1-2-2021-06"
# Long enough for a sign-up in flight (the web server waits up to 18 s for
# the API) to finish on a task that is being replaced.
DEREGISTRATION_DELAY_SECONDS: Final = 30
# Reflex keeps each visitor's form state in the memory of the task holding
# their websocket. The websocket itself stays on one task; the cookie brings a
# reconnecting browser back to the same task while it lives.
STICKY_SECONDS: Final = 3600


@dataclass(frozen=True)
class Balancer:
    """The load balancer, the target group the service registers in, and the listener."""

    load_balancer: aws.lb.LoadBalancer
    target_group: aws.lb.TargetGroup
    listener: aws.lb.Listener
    port: int


def listener_port(origin_certificate_arn: str | None) -> int:
    """443 with a certificate of the team's own, else 80 (inside the VPC only)."""
    return HTTP_PORT if origin_certificate_arn is None else HTTPS_PORT


def create_balancer(
    name: str,
    *,
    network: Network,
    origin_certificate_arn: str | None,
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> Balancer:
    """An internal ALB across both private subnets, forwarding to the tasks."""
    child = pulumi.ResourceOptions(parent=parent)
    load_balancer = aws.lb.LoadBalancer(
        f"{name}-alb",
        load_balancer_type="application",
        internal=True,
        security_groups=[network.balancer_group.id],
        subnets=network.balancer_subnet_ids,
        drop_invalid_header_fields=True,
        tags=tags,
        opts=child,
    )
    target_group = aws.lb.TargetGroup(
        f"{name}-tg",
        port=BACKEND_PORT,
        protocol="HTTP",
        target_type="ip",  # Fargate tasks register by their ENI's address
        vpc_id=network.vpc.id,
        deregistration_delay=DEREGISTRATION_DELAY_SECONDS,
        health_check={
            "path": HEALTH_PATH,
            "matcher": "200",
            "interval": 15,
            "timeout": 5,
            "healthy_threshold": 2,
            "unhealthy_threshold": 3,
        },
        stickiness={"type": "lb_cookie", "enabled": True, "cookie_duration": STICKY_SECONDS},
        tags=tags,
        opts=child,
    )
    port = listener_port(origin_certificate_arn)
    listener = aws.lb.Listener(
        f"{name}-listener",
        load_balancer_arn=load_balancer.arn,
        port=port,
        protocol="HTTP" if origin_certificate_arn is None else "HTTPS",
        ssl_policy=None if origin_certificate_arn is None else TLS_POLICY,
        certificate_arn=origin_certificate_arn,
        default_actions=[{"type": "forward", "target_group_arn": target_group.arn}],
        tags=tags,
        opts=child,
    )
    return Balancer(load_balancer, target_group, listener, port)
