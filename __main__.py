"""Composition root for `pulumi up`: read the stack's config, build the service, export outputs."""

from __future__ import annotations

from pathlib import Path

import pulumi

from infra.components.signup_service import SignupService, SignupServiceArgs
from infra.stack.schema import (
    PulumiValues,
    load_stage_config,
    require_client_address_secret,
    require_pepper,
)

config = pulumi.Config()
stage = load_stage_config(PulumiValues(config), pulumi.get_stack())
service = SignupService(
    f"signup-{stage.stage}",
    SignupServiceArgs(
        config=stage,
        pepper=require_pepper(config),
        source_root=Path(__file__).resolve().parent,
        client_address_secret=require_client_address_secret(config),
    ),
)

pulumi.export("apiUrl", service.api_url)
pulumi.export("createUserUrl", service.create_user_url)
pulumi.export("tableName", service.table_name)
pulumi.export("functionName", service.function_name)
# The mail worker, and the queue that describes the mails it gave up on.
pulumi.export("mailWorkerFunctionName", service.mail_worker_function_name)
pulumi.export("mailFailuresQueueUrl", service.mail_failures_queue_url)
pulumi.export("stage", stage.stage)
# The stage as an issuer: what another API's JWT authorizer is configured with.
pulumi.export("issuerUrl", service.issuer_url)
pulumi.export("jwksUrl", service.jwks_url)
pulumi.export("audience", service.audience)
# SES: the identity mails are sent as, and the DNS records (Easy DKIM) to
# publish for a domain identity; an address identity needs none.
pulumi.export("mailIdentity", service.mail_identity)
pulumi.export("mailDnsRecords", service.mail_dns_records)
if service.web is not None:
    # The page's address (no trailing slash) and what an operator looks for.
    pulumi.export("webUrl", service.web.url)
    pulumi.export("webDistributionId", service.web.distribution_id)
    pulumi.export("webBucket", service.web.bucket_name)
    pulumi.export("webClusterName", service.web.cluster_name)
    pulumi.export("webServiceName", service.web.service_name)
    pulumi.export("webRepositoryUrl", service.web.repository_url)
