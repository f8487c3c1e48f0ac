"""The Application Load Balancer in front of the web backend: CloudFront's requests only.

Two locks on one door: the security group admits only CloudFront's
origin-facing addresses (network.py), and the listener forwards only requests
carrying the stage's secret header, which only the distribution sends; every
other request gets a bare 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from infra.components.page.edge import ORIGIN_HEADER
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
    """The load balancer, the target group the service registers in, and the listener rule."""

    load_balancer: aws.lb.LoadBalancer
    target_group: aws.lb.TargetGroup
    forward_rule: aws.lb.ListenerRule


def listener_port(origin_certificate_arn: str | None) -> int:
    """443 with a certificate of the team's own, else 80."""
    return HTTP_PORT if origin_certificate_arn is None else HTTPS_PORT


def create_balancer(
    name: str,
    *,
    network: Network,
    secret: pulumi.Output[str],
    origin_certificate_arn: str | None,
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> Balancer:
    """An internet-facing ALB across both subnets, forwarding CloudFront's requests to the tasks."""
    child = pulumi.ResourceOptions(parent=parent)
    load_balancer = aws.lb.LoadBalancer(
        f"{name}-alb",
        load_balancer_type="application",
        internal=False,
        security_groups=[network.balancer_group.id],
        subnets=network.subnet_ids,
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
        default_actions=[
            {
                "type": "fixed-response",
                "fixed_response": {"content_type": "text/plain", "status_code": "403"},
            }
        ],
        tags=tags,
        opts=child,
    )
    forward_rule = aws.lb.ListenerRule(
        f"{name}-from-cloudfront",
        listener_arn=listener.arn,
        priority=1,
        conditions=[{"http_header": {"http_header_name": ORIGIN_HEADER, "values": [secret]}}],
        actions=[{"type": "forward", "target_group_arn": target_group.arn}],
        tags=tags,
        opts=child,
    )
    return Balancer(load_balancer, target_group, forward_rule)
