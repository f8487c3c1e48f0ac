"""The web stack's network: a VPC of two public subnets and the two firewalls, no NAT gateway.

The tasks have public addresses so they reach ECR, CloudWatch Logs, Parameter
Store and the sign-up API without a NAT gateway (about $33 a month each plus
data) or interface endpoints (about $7 a month per endpoint per zone); nothing
can connect to them but the load balancer, and the load balancer admits only
CloudFront's origin-facing addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from signup_web.hosting import BACKEND_PORT

CIDR: Final = "10.80.0.0/16"
# An Application Load Balancer needs subnets in at least two Availability Zones.
SUBNET_CIDRS: Final = ("10.80.0.0/24", "10.80.1.0/24")
# AWS-managed prefix list of CloudFront's origin-facing servers (IPv4); it
# weighs 55 rules against the group's quota of 60 (VPC user guide,
# "AWS-managed prefix lists").
CLOUDFRONT_PREFIX_LIST: Final = "com.amazonaws.global.cloudfront.origin-facing"
HTTPS: Final = 443
DNS: Final = 53


@dataclass(frozen=True)
class Network:
    """What the load balancer and the service are placed in."""

    vpc: aws.ec2.Vpc
    subnet_ids: list[pulumi.Output[str]]
    balancer_group: aws.ec2.SecurityGroup
    task_group: aws.ec2.SecurityGroup


def create_network(
    name: str, *, listener_port: int, tags: dict[str, str], parent: pulumi.Resource
) -> Network:
    """The VPC, its internet route, two public subnets and the two security groups."""
    child = pulumi.ResourceOptions(parent=parent)
    vpc = aws.ec2.Vpc(
        f"{name}-vpc",
        cidr_block=CIDR,
        enable_dns_support=True,
        enable_dns_hostnames=True,
        tags={**tags, "Name": f"{name}-vpc"},
        opts=child,
    )
    gateway = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags=tags, opts=child)
    routes = aws.ec2.RouteTable(
        f"{name}-public",
        vpc_id=vpc.id,
        routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": gateway.id}],
        tags=tags,
        opts=child,
    )
    zones = aws.get_availability_zones_output(state="available")
    subnet_ids = []
    for index, cidr in enumerate(SUBNET_CIDRS):
        subnet = aws.ec2.Subnet(
            f"{name}-public-{index}",
            vpc_id=vpc.id,
            cidr_block=cidr,
            availability_zone=zones.names[index],
            # Only what asks for one gets a public address (the tasks and the
            # load balancer do, explicitly).
            map_public_ip_on_launch=False,
            tags={**tags, "Name": f"{name}-public-{index}"},
            opts=child,
        )
        aws.ec2.RouteTableAssociation(
            f"{name}-public-{index}", subnet_id=subnet.id, route_table_id=routes.id, opts=child
        )
        subnet_ids.append(subnet.id)
    balancer_group, task_group = _create_groups(name, vpc, listener_port, tags, child)
    return Network(vpc, subnet_ids, balancer_group, task_group)


def _create_groups(
    name: str,
    vpc: aws.ec2.Vpc,
    listener_port: int,
    tags: dict[str, str],
    child: pulumi.ResourceOptions,
) -> tuple[aws.ec2.SecurityGroup, aws.ec2.SecurityGroup]:
    # The provider removes AWS's default allow-all egress rule from a new group
    # (aws.ec2.SecurityGroup docs), so each group has exactly the rules below.
    balancer = aws.ec2.SecurityGroup(
        f"{name}-alb",
        vpc_id=vpc.id,
        description="CloudFront to the load balancer",
        tags=tags,
        opts=child,
    )
    task = aws.ec2.SecurityGroup(
        f"{name}-task",
        vpc_id=vpc.id,
        description="Load balancer to the web backend",
        tags=tags,
        opts=child,
    )
    cloudfront = aws.ec2.get_managed_prefix_list_output(name=CLOUDFRONT_PREFIX_LIST)
    rules = _Rules(tags, child)
    rules.allow_in(
        f"{name}-alb-from-cloudfront",
        balancer,
        listener_port,
        "CloudFront's origin-facing servers only",
        prefix_list_id=cloudfront.id,
    )
    rules.allow_out(
        f"{name}-alb-to-task",
        balancer,
        BACKEND_PORT,
        "The web backend",
        referenced_security_group_id=task.id,
    )
    rules.allow_in(
        f"{name}-task-from-alb",
        task,
        BACKEND_PORT,
        "The load balancer only",
        referenced_security_group_id=balancer.id,
    )
    rules.allow_out(
        f"{name}-task-https",
        task,
        HTTPS,
        "The sign-up API, ECR, CloudWatch Logs, Parameter Store",
        cidr_ipv4="0.0.0.0/0",
    )
    for protocol in ("udp", "tcp"):
        rules.allow_out(
            f"{name}-task-dns-{protocol}",
            task,
            DNS,
            "The VPC's DNS resolver",
            protocol=protocol,
            cidr_ipv4=CIDR,
        )
    return balancer, task


@dataclass(frozen=True)
class _Rules:
    """One rule per resource (the provider's advice over inline rules), each tagged and owned."""

    tags: dict[str, str]
    child: pulumi.ResourceOptions

    def allow_in(
        self,
        name: str,
        group: aws.ec2.SecurityGroup,
        port: int,
        why: str,
        **source: pulumi.Input[str],
    ) -> None:
        aws.vpc.SecurityGroupIngressRule(
            name,
            security_group_id=group.id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            description=why,
            tags=self.tags,
            opts=self.child,
            **source,
        )

    def allow_out(
        self,
        name: str,
        group: aws.ec2.SecurityGroup,
        port: int,
        why: str,
        protocol: str = "tcp",
        **target: pulumi.Input[str],
    ) -> None:
        aws.vpc.SecurityGroupEgressRule(
            name,
            security_group_id=group.id,
            ip_protocol=protocol,
            from_port=port,
            to_port=port,
            description=why,
            tags=self.tags,
            opts=self.child,
            **target,
        )
