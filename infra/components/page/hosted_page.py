"""SignupWeb: the stage's sign-up page at an HTTPS URL, Reflex's self-hosting split."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pulumi

from infra.build.page_export import StaticSite
from infra.components.page.alarms import create_page_alarms
from infra.components.page.balancer import create_balancer
from infra.components.page.edge import create_edge
from infra.components.page.fargate_service import BackendArgs, create_backend
from infra.components.page.image import create_image
from infra.components.page.network import create_network
from infra.components.page.vpc_origin import BackendOrigin
from infra.stack.schema import StageConfig


@dataclass(frozen=True)
class SignupWebArgs:
    """The stage's policy, the page to serve, the API it calls and the secret it holds."""

    stage: StageConfig
    site: StaticSite
    source_root: Path
    api_url: pulumi.Input[str]
    secret_parameter_arn: pulumi.Input[str]
    secret_key_arn: pulumi.Input[str]
    tags: dict[str, str]
    permissions_boundary: pulumi.Input[str]


class SignupWeb(pulumi.ComponentResource):
    """The static export in a private bucket and the Reflex backend on Fargate, one distribution."""

    url: pulumi.Output[str]
    distribution_id: pulumi.Output[str]
    bucket_name: pulumi.Output[str]
    cluster_name: pulumi.Output[str]
    service_name: pulumi.Output[str]
    repository_url: pulumi.Output[str]

    def __init__(
        self, name: str, args: SignupWebArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("signup:infra:SignupWeb", name, None, opts)
        web = args.stage.web
        network = create_network(name, tags=args.tags, parent=self)
        balancer = create_balancer(
            name,
            network=network,
            origin_certificate_arn=web.origin_certificate_arn,
            tags=args.tags,
            parent=self,
        )
        edge = create_edge(
            name,
            site=args.site,
            backend=BackendOrigin(balancer, network, origin_domain=web.origin_domain),
            domain=web.domain,
            certificate_arn=web.certificate_arn,
            tags=args.tags,
            parent=self,
        )
        # No trailing slash: mail links and CORS origins append to it as is.
        self.url = (
            pulumi.Output.from_input(f"https://{web.domain}")
            if web.domain
            else pulumi.Output.concat("https://", edge.distribution.domain_name)
        )
        image = create_image(name, source_root=args.source_root, tags=args.tags, parent=self)
        backend = create_backend(
            name,
            BackendArgs(
                stage=args.stage,
                image=image,
                network=network,
                balancer=balancer,
                api_url=args.api_url,
                web_url=self.url,
                secret_parameter_arn=args.secret_parameter_arn,
                secret_key_arn=args.secret_key_arn,
                tags=args.tags,
                permissions_boundary=args.permissions_boundary,
            ),
            parent=self,
        )
        create_page_alarms(
            f"{name}-alarms", stage=args.stage, balancer=balancer, tags=args.tags, parent=self
        )
        self.distribution_id = edge.distribution.id
        self.bucket_name = edge.bucket.bucket
        self.cluster_name = backend.cluster.name
        self.service_name = backend.service.name
        self.repository_url = image.repository.repository_url
        self.register_outputs(
            {
                "url": self.url,
                "distributionId": self.distribution_id,
                "bucket": self.bucket_name,
                "clusterName": self.cluster_name,
                "serviceName": self.service_name,
                "repositoryUrl": self.repository_url,
            }
        )
