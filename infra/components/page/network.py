"""The web stack's network: public subnets for the tasks, private ones for the load balancer.

The load balancer is internal, in two private subnets with no route out:
CloudFront reaches it through a VPC origin (edge.py), over AWS's network, and
nothing on the internet can reach it at all. The tasks sit in two public
subnets with public addresses so they reach ECR, CloudWatch Logs, Parameter
Store and the sign-up API without a NAT gateway (about $33 a month each plus
data) or interface endpoints (about $7 a month per endpoint per zone);
nothing can connect to them but the load balancer. CloudFront's VPC origin
reaches the load balancer through interfaces CloudFront places in the VPC
itself (AWSCloudFrontVPCOriginServiceRolePolicy creates them and their
security group): no NAT gateway or endpoint for that either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from signup_web.hosting import BACKEND_PORT

CIDR: Final = "10.80.0.0/16"
# An Application Load Balancer needs subnets in at least two Availability Zones.
PUBLIC_CIDRS: Final = ("10.80.0.0/24", "10.80.1.0/24")
PRIVATE_CIDRS: Final = ("10.80.10.0/24", "10.80.11.0/24")
HTTPS: Final = 443
DNS: Final = 53


@dataclass(frozen=True)
class Network:
    """What the load balancer and the service are placed in."""

    vpc: aws.ec2.Vpc
    gateway: aws.ec2.InternetGateway
    task_subnet_ids: list[pulumi.Output[str]]
    balancer_subnet_ids: list[pulumi.Output[str]]
    balancer_group: aws.ec2.SecurityGroup
    task_group: aws.ec2.SecurityGroup


def create_network(name: str, *, tags: dict[str, str], parent: pulumi.Resource) -> Network:
    """The VPC, its internet route, two public and two private subnets, the two security groups."""
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
    public = aws.ec2.RouteTable(
        f"{name}-public",
        vpc_id=vpc.id,
        routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": gateway.id}],
        tags=tags,
        opts=child,
    )
    # No route but the VPC's own: the load balancer answers inside the VPC only.
    private = aws.ec2.RouteTable(f"{name}-private", vpc_id=vpc.id, tags=tags, opts=child)
    zones = aws.get_availability_zones_output(state="available")
    subnets = _Subnets(name, vpc, zones, tags, child)
    task_subnet_ids = [subnets.add("public", i, c, public) for i, c in enumerate(PUBLIC_CIDRS)]
    balancer_subnet_ids = [
        subnets.add("private", i, c, private) for i, c in enumerate(PRIVATE_CIDRS)
    ]
    balancer_group, task_group = _create_groups(name, vpc, tags, child)
    return Network(vpc, gateway, task_subnet_ids, balancer_subnet_ids, balancer_group, task_group)


@dataclass(frozen=True)
class _Subnets:
    name: str
    vpc: aws.ec2.Vpc
    zones: pulumi.Output[aws.GetAvailabilityZonesResult]
    tags: dict[str, str]
    child: pulumi.ResourceOptions

    def add(
        self, kind: str, index: int, cidr: str, routes: aws.ec2.RouteTable
    ) -> pulumi.Output[str]:
        subnet = aws.ec2.Subnet(
            f"{self.name}-{kind}-{index}",
            vpc_id=self.vpc.id,
            cidr_block=cidr,
            availability_zone=self.zones.names[index],
            # Only what asks for one gets a public address (the tasks, explicitly).
            map_public_ip_on_launch=False,
            tags={**self.tags, "Name": f"{self.name}-{kind}-{index}"},
            opts=self.child,
        )
        aws.ec2.RouteTableAssociation(
            f"{self.name}-{kind}-{index}",
            subnet_id=subnet.id,
            route_table_id=routes.id,
            opts=self.child,
        )
        return subnet.id


def _create_groups(
    name: str, vpc: aws.ec2.Vpc, tags: dict[str, str], child: pulumi.ResourceOptions
) -> tuple[aws.ec2.SecurityGroup, aws.ec2.SecurityGroup]:
    # The provider removes AWS's default allow-all egress rule from a new group
    # (aws.ec2.SecurityGroup docs), so each group has exactly the rules below.
    # The balancer's one way in (from CloudFront's VPC origin) is added by
    # edge.py once the VPC origin exists: see allow_vpc_origin.
    balancer = aws.ec2.SecurityGroup(
        f"{name}-alb",
        vpc_id=vpc.id,
        description="CloudFront's VPC origin to the load balancer",
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
    rules = Rules(tags, child)
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
class Rules:
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
    ) -> aws.vpc.SecurityGroupIngressRule:
        """Admit `port` into `group` from `source` only."""
        return aws.vpc.SecurityGroupIngressRule(
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
        """Let `group` reach `port` on `target` only."""
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
