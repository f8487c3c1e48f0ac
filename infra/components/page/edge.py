"""CloudFront in front of both halves: the private bucket of the export, and the backend's balancer.

One distribution, one origin for the browser: `/` and the page's assets come
from S3 through origin access control, a page path mapped to its HTML by a
CloudFront Function (page_paths.js); BACKEND_PATH goes uncached, with every
viewer header (the websocket included), through a VPC origin to the internal
load balancer: over AWS's network, never the internet, and over TLS as well
when the team brings an origin hostname and certificate.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from infra.build.page_export import NOT_FOUND_PAGE, ROOT_OBJECT, StaticSite
from infra.components.page.page_paths import RUNTIME, function_code
from infra.components.page.vpc_origin import BackendOrigin, admit_vpc_origin, create_vpc_origin
from signup_web.hosting import BACKEND_PATH

# AWS managed policies, by the ids CloudFront documents ("Use managed cache
# policies", "Use managed origin request policies"; the response headers id
# as in aws-cdk's ResponseHeadersPolicy.SECURITY_HEADERS).
CACHING_OPTIMIZED: Final = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED: Final = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER: Final = "216adef6-5c7f-47e4-b989-5492eafa07d3"
ALL_VIEWER_EXCEPT_HOST: Final = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
SECURITY_HEADERS: Final = "67f7725c-6f97-4210-82d7-5512b31e9d03"
SITE_ORIGIN: Final = "site"
BACKEND_ORIGIN: Final = "backend"
ALL_METHODS: Final = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
# A restarting backend answers 502-504 for seconds: never serve those from
# cache after it is back (CloudFront caches errors for 10 s unless told).
UNCACHED_ERRORS: Final = (500, 502, 503, 504)


@dataclass(frozen=True)
class Edge:
    """The bucket and the distribution, as operators and the rest of the stack need them."""

    bucket: aws.s3.Bucket
    distribution: aws.cloudfront.Distribution
    page_paths: aws.cloudfront.Function
    vpc_origin: aws.cloudfront.VpcOrigin


def create_edge(
    name: str,
    *,
    site: StaticSite,
    backend: BackendOrigin,
    domain: str | None,
    certificate_arn: str | None,
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> Edge:
    """The private bucket with the export in it, and the distribution serving it and the backend."""
    child = pulumi.ResourceOptions(parent=parent)
    bucket, settled = _create_bucket(name, tags, child)
    after_settings = pulumi.ResourceOptions.merge(
        child, pulumi.ResourceOptions(depends_on=[settled])
    )
    for item in site.files:
        aws.s3.BucketObjectv2(
            f"{name}-site-{item.key}",
            bucket=bucket.id,
            key=item.key,
            # Relative to the project directory, so the state is the same on every machine.
            source=pulumi.FileAsset(os.path.relpath(item.path)),
            content_type=item.content_type,
            cache_control=item.cache_control,
            opts=after_settings,
        )
    access = aws.cloudfront.OriginAccessControl(
        f"{name}-oac",
        description="Signed requests from the sign-up page's distribution",
        origin_access_control_origin_type="s3",
        signing_behavior="always",
        signing_protocol="sigv4",
        opts=child,
    )
    page_paths = aws.cloudfront.Function(
        f"{name}-pages",
        runtime=RUNTIME,
        comment="Page paths to the export's prerendered HTML (/verify -> /verify/index.html)",
        code=function_code(),
        publish=True,
        tags=tags,
        opts=child,
    )
    vpc_origin = create_vpc_origin(name, backend, tags, child)
    distribution = aws.cloudfront.Distribution(
        f"{name}-cdn",
        enabled=True,
        comment=f"{name}: the sign-up page",
        default_root_object=ROOT_OBJECT,
        aliases=[domain] if domain else None,
        http_version="http2and3",
        is_ipv6_enabled=True,
        # North America and Europe only: the cheapest class; viewers elsewhere
        # are served from those edges.
        price_class="PriceClass_100",
        origins=[_site_origin(bucket, access), _backend_origin(backend, vpc_origin)],
        default_cache_behavior=_site_behavior(page_paths),
        ordered_cache_behaviors=[_backend_behavior(https=backend.https)],
        custom_error_responses=_error_responses(),
        restrictions={"geo_restriction": {"restriction_type": "none"}},
        viewer_certificate=_viewer_certificate(certificate_arn),
        tags=tags,
        opts=child,
    )
    _allow_only_this_distribution(name, bucket, distribution, after_settings)
    admit_vpc_origin(name, backend, [vpc_origin, distribution], tags, child)
    return Edge(bucket, distribution, page_paths, vpc_origin)


def _create_bucket(
    name: str, tags: dict[str, str], child: pulumi.ResourceOptions
) -> tuple[aws.s3.Bucket, pulumi.Resource]:
    """The bucket, and the last of its settings: what its policy and objects wait for.

    S3 refuses concurrent changes to one bucket's settings (409
    OperationAborted), so each setting waits for the one before it.
    """
    # The export is rebuilt from source on every deploy: nothing in the bucket
    # needs keeping, so `pulumi destroy` may empty it.
    bucket = aws.s3.Bucket(f"{name}-site", force_destroy=True, tags=tags, opts=child)
    block = aws.s3.BucketPublicAccessBlock(
        f"{name}-site",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=child,
    )
    ownership = aws.s3.BucketOwnershipControls(
        f"{name}-site",
        bucket=bucket.id,
        rule={"object_ownership": "BucketOwnerEnforced"},  # no ACLs at all
        opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[block])),
    )
    encryption = aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-site",
        bucket=bucket.id,
        # S3-managed keys: CloudFront's origin access control reads them
        # without a key policy of its own.
        rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
        opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[ownership])),
    )
    return bucket, encryption


def _site_behavior(
    page_paths: aws.cloudfront.Function,
) -> aws.cloudfront.DistributionDefaultCacheBehaviorArgsDict:
    return {
        "target_origin_id": SITE_ORIGIN,
        "function_associations": [{"event_type": "viewer-request", "function_arn": page_paths.arn}],
        "viewer_protocol_policy": "redirect-to-https",
        "allowed_methods": ["GET", "HEAD"],
        "cached_methods": ["GET", "HEAD"],
        "cache_policy_id": CACHING_OPTIMIZED,
        "response_headers_policy_id": SECURITY_HEADERS,
        "compress": True,
    }


def _backend_behavior(*, https: bool) -> aws.cloudfront.DistributionOrderedCacheBehaviorArgsDict:
    return {
        "path_pattern": f"{BACKEND_PATH}/*",
        "target_origin_id": BACKEND_ORIGIN,
        "viewer_protocol_policy": "https-only",
        "allowed_methods": ALL_METHODS,
        "cached_methods": ["GET", "HEAD"],
        "cache_policy_id": CACHING_DISABLED,
        # Every viewer header, which is also what carries the websocket
        # upgrade ("Use WebSockets with CloudFront distributions"). Over TLS,
        # every one but Host: CloudFront then names the origin by its own
        # hostname, the one the balancer's certificate is for.
        "origin_request_policy_id": ALL_VIEWER_EXCEPT_HOST if https else ALL_VIEWER,
        "response_headers_policy_id": SECURITY_HEADERS,
        "compress": False,
    }


def _error_responses() -> list[aws.cloudfront.DistributionCustomErrorResponseArgsDict]:
    # The bucket is private: a missing key is a 403 from S3; show the export's
    # own 404 page for it, as a 404.
    missing: list[aws.cloudfront.DistributionCustomErrorResponseArgsDict] = [
        {"error_code": code, "response_code": 404, "response_page_path": NOT_FOUND_PAGE}
        for code in (403, 404)
    ]
    return missing + [{"error_code": code, "error_caching_min_ttl": 0} for code in UNCACHED_ERRORS]


def _site_origin(
    bucket: aws.s3.Bucket, access: aws.cloudfront.OriginAccessControl
) -> aws.cloudfront.DistributionOriginArgsDict:
    return {
        "origin_id": SITE_ORIGIN,
        "domain_name": bucket.bucket_regional_domain_name,
        "origin_access_control_id": access.id,
    }


def _backend_origin(
    backend: BackendOrigin, vpc_origin: aws.cloudfront.VpcOrigin
) -> aws.cloudfront.DistributionOriginArgsDict:
    return {
        "origin_id": BACKEND_ORIGIN,
        # The name the listener's certificate is for, when there is one.
        "domain_name": backend.origin_domain or backend.balancer.load_balancer.dns_name,
        "vpc_origin_config": {"vpc_origin_id": vpc_origin.id},
    }


def _viewer_certificate(
    certificate_arn: str | None,
) -> aws.cloudfront.DistributionViewerCertificateArgsDict:
    if certificate_arn is None:
        return {"cloudfront_default_certificate": True}
    return {
        "acm_certificate_arn": certificate_arn,
        "ssl_support_method": "sni-only",
        "minimum_protocol_version": "TLSv1.2_2021",
    }


def _allow_only_this_distribution(
    name: str,
    bucket: aws.s3.Bucket,
    distribution: aws.cloudfront.Distribution,
    child: pulumi.ResourceOptions,
) -> None:
    # The shape CloudFront documents for origin access control: the service
    # principal, reads only, and only on behalf of this one distribution.
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowCloudFrontServicePrincipalReadOnly",
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": "s3:GetObject",
                "Resource": pulumi.Output.concat(bucket.arn, "/*"),
                "Condition": {"StringEquals": {"AWS:SourceArn": distribution.arn}},
            }
        ],
    }
    aws.s3.BucketPolicy(
        f"{name}-site",
        bucket=bucket.id,
        policy=pulumi.Output.json_dumps(document),
        opts=child,
    )
