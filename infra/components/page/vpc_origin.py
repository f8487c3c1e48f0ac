"""CloudFront's VPC origin: how the distribution reaches the internal load balancer.

CloudFront places network interfaces in the VPC for the origin (its
service-linked role's policy, AWSCloudFrontVPCOriginServiceRolePolicy,
creates them and a security group for them); the balancer's security group
admits that group and nothing else, so no request from the internet reaches
the balancer, and no shared secret header is needed to tell CloudFront apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from infra.components.page.balancer import Balancer
from infra.components.page.network import Network, Rules

# The security group CloudFront creates in the VPC for a VPC origin's
# interfaces; the balancer admits it, and nothing else. "When you create a VPC
# origin, CloudFront automatically creates a service-managed security group with
# the naming pattern CloudFront-VPCOrigins-Service-SG"; allowing it "can be done
# only after the VPC origin is created and the service-managed security group is
# created" (CloudFront Developer Guide, "Restrict access with VPC origins",
# https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-vpc-origins.html).
VPC_ORIGIN_GROUP: Final = "CloudFront-VPCOrigins-Service-SG"


@dataclass(frozen=True)
class BackendOrigin:
    """The internal balancer CloudFront reaches, in its network, and the hostname it is known by."""

    balancer: Balancer
    network: Network
    # The team's hostname for it (certificate on the listener), else None: HTTP inside the VPC.
    origin_domain: str | None

    @property
    def https(self) -> bool:
        """TLS from CloudFront to the balancer too (the listener holds the team's certificate)."""
        return self.origin_domain is not None


def create_vpc_origin(
    name: str, backend: BackendOrigin, tags: dict[str, str], child: pulumi.ResourceOptions
) -> aws.cloudfront.VpcOrigin:
    """CloudFront's way into the VPC, to the internal balancer."""
    return aws.cloudfront.VpcOrigin(
        f"{name}-vpc-origin",
        vpc_origin_endpoint_config={
            "name": f"{name}-vpc-origin",
            "arn": backend.balancer.load_balancer.arn,
            "http_port": 80,
            "https_port": 443,
            # HTTP travels inside AWS's network only (CloudFront to an
            # interface in this VPC); with the team's certificate, TLS too.
            "origin_protocol_policy": "https-only" if backend.https else "http-only",
            "origin_ssl_protocols": {"items": ["TLSv1.2"], "quantity": 1},
        },
        tags=tags,
        opts=child,
    )


def admit_vpc_origin(
    name: str,
    backend: BackendOrigin,
    after: list[pulumi.Resource],
    tags: dict[str, str],
    child: pulumi.ResourceOptions,
) -> None:
    """The balancer's one way in: from the group of the VPC origin's interfaces."""
    # CloudFront creates its group in the VPC with the VPC origin, so it is
    # looked up only once the origin (and the distribution using it) exist:
    # on a first deploy the preview leaves the lookup unknown and `up` runs it
    # after them (the provider's create returns once the origin is Deployed,
    # waitVPCOriginDeployed in terraform-provider-aws).
    group = aws.ec2.get_security_group_output(
        name=VPC_ORIGIN_GROUP,
        vpc_id=backend.network.vpc.id,
        opts=pulumi.InvokeOutputOptions(depends_on=after),
    )
    Rules(tags, child).allow_in(
        f"{name}-alb-from-cloudfront",
        backend.network.balancer_group,
        backend.balancer.port,
        "CloudFront's VPC origin only",
        referenced_security_group_id=group.id,
    )
