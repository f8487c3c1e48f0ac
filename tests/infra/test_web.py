"""The hosted sign-up page under Pulumi mocks: private bucket, one HTTPS origin, locked backend."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from infra.config import read_stack_file
from infra.web.edge import (
    ALL_VIEWER,
    ALL_VIEWER_EXCEPT_HOST,
    CACHING_DISABLED,
    CACHING_OPTIMIZED,
    ORIGIN_HEADER,
    SECURITY_HEADERS,
)
from infra.web.image import DOCKER_PLATFORM, ECS_ARCHITECTURE, LIFECYCLE_POLICY, image_tag
from infra.web.network import CIDR, CLOUDFRONT_PREFIX_LIST
from infra.web.site import NOT_FOUND_PAGE, ROOT_OBJECT, StaticSite, build_site, export_environment
from signup_web.hosting import BACKEND_PATH, BACKEND_PORT, HEALTH_PATH, SAME_ORIGIN_API_URL
from tests.infra.conftest import CUSTOM_DOMAINS, ROOT, STACKS
from tests.infra.mock_deploy import ACCOUNT, TEST_CLIENT_ADDRESS_SECRET, TEST_ORIGIN_SECRET
from tests.infra.recorded import (
    BUCKET,
    BUCKET_POLICY,
    DISTRIBUTION,
    ECS_SERVICE,
    EGRESS,
    ENCRYPTION,
    FUNCTION,
    IMAGE,
    INGRESS,
    KEY,
    LIFECYCLE,
    LISTENER,
    LISTENER_RULE,
    OBJECT,
    ORIGIN_ACCESS,
    OWNERSHIP,
    PARAMETER,
    PUBLIC_ACCESS_BLOCK,
    REPOSITORY,
    ROLE,
    ROLE_POLICY,
    SECURITY_GROUP,
    TARGET_GROUP,
    TASK,
    of_type,
    one,
    physical_name,
)

Deployments = dict[str, dict[str, Any]]
REGION = "us-east-1"


def _secret(value: Any) -> Any:
    """The value inside a recorded secret; fails if it was recorded in plain text."""
    assert isinstance(value, dict) and set(value) == {"__secret__"}, value
    return value["__secret__"]


def _container(deployment: dict[str, Any]) -> dict[str, Any]:
    (container,) = json.loads(one(deployment, TASK)["inputs"]["containerDefinitions"])
    return dict(container)


def _group(deployment: dict[str, Any], suffix: str) -> str:
    return one(deployment, SECURITY_GROUP, suffix)["name"] + "-id"


@pytest.mark.parametrize("stack", STACKS)
def test_bucket_is_private_and_readable_by_this_distribution_only(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    bucket = one(deployment, BUCKET)
    block = one(deployment, PUBLIC_ACCESS_BLOCK)["inputs"]
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    assert all(block[flag] is True for flag in flags)
    assert one(deployment, OWNERSHIP)["inputs"]["rule"] == {
        "objectOwnership": "BucketOwnerEnforced"
    }
    (rule,) = one(deployment, ENCRYPTION)["inputs"]["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    (statement,) = json.loads(one(deployment, BUCKET_POLICY)["inputs"]["policy"])["Statement"]
    distribution = (
        f"arn:aws:cloudfront::{ACCOUNT}:distribution/{one(deployment, DISTRIBUTION)['name']}-id"
    )
    assert statement == {
        "Sid": "AllowCloudFrontServicePrincipalReadOnly",
        "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{physical_name(bucket)}/*",
        "Condition": {"StringEquals": {"AWS:SourceArn": distribution}},
    }


@pytest.mark.parametrize("stack", STACKS)
def test_bucket_holds_exactly_the_export_for_the_stacks_password_minimum(
    deployments: Deployments, sites: dict[int, StaticSite], stack: str
) -> None:
    site = sites[read_stack_file(ROOT / f"Pulumi.{stack}.yaml").password_min_length]
    objects = {o["inputs"]["key"]: o["inputs"] for o in of_type(deployments[stack], OBJECT)}
    assert set(objects) == {f.key for f in site.files} >= {ROOT_OBJECT, NOT_FOUND_PAGE[1:]}
    for item in site.files:
        uploaded = objects[item.key]
        assert (ROOT / uploaded["source"]["__asset__"]).resolve() == item.path.resolve()
        assert uploaded["contentType"] == item.content_type
        assert uploaded["cacheControl"] == item.cache_control
    assert not any(key.endswith(".gz") for key in objects)


@pytest.mark.parametrize("stack", STACKS)
def test_distribution_serves_the_files_and_sends_the_backend_path_uncached(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    cdn = one(deployment, DISTRIBUTION)["inputs"]
    assert cdn["defaultRootObject"] == ROOT_OBJECT
    assert cdn["viewerCertificate"] == {"cloudfrontDefaultCertificate": True}
    site = cdn["defaultCacheBehavior"]
    assert site["viewerProtocolPolicy"] == "redirect-to-https"
    assert site["cachePolicyId"] == CACHING_OPTIMIZED
    assert site["responseHeadersPolicyId"] == SECURITY_HEADERS
    assert site["allowedMethods"] == ["GET", "HEAD"]
    (backend,) = cdn["orderedCacheBehaviors"]
    assert backend["pathPattern"] == f"{BACKEND_PATH}/*"
    assert backend["viewerProtocolPolicy"] == "https-only"
    assert backend["cachePolicyId"] == CACHING_DISABLED
    # Every viewer header: what CloudFront documents for WebSockets.
    assert backend["originRequestPolicyId"] == ALL_VIEWER
    assert {"GET", "POST", "OPTIONS"} <= set(backend["allowedMethods"])
    errors = {e["errorCode"]: e for e in cdn["customErrorResponses"]}
    assert errors[403]["responsePagePath"] == NOT_FOUND_PAGE and errors[403]["responseCode"] == 404
    assert errors[503]["errorCachingMinTtl"] == 0
    access = one(deployment, ORIGIN_ACCESS)["inputs"]
    assert (access["originAccessControlOriginType"], access["signingBehavior"]) == ("s3", "always")


@pytest.mark.parametrize("stack", STACKS)
def test_origins_are_the_private_bucket_and_the_balancer_with_the_secret_header(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    # The origin header's secret makes the whole list secret in the state.
    recorded = _secret(one(deployment, DISTRIBUTION)["inputs"]["origins"])
    origins = {o["originId"]: o for o in recorded}
    bucket = physical_name(one(deployment, BUCKET))
    assert origins["site"]["domainName"] == f"{bucket}.s3.{REGION}.amazonaws.com"
    assert (
        origins["site"]["originAccessControlId"] == one(deployment, ORIGIN_ACCESS)["name"] + "-id"
    )
    backend = origins["backend"]
    assert backend["domainName"].endswith(f".{REGION}.elb.amazonaws.com")
    assert backend["customOriginConfig"]["originProtocolPolicy"] == "http-only"
    (header,) = backend["customHeaders"]
    assert header["name"] == ORIGIN_HEADER
    assert header["value"] == TEST_ORIGIN_SECRET


@pytest.mark.parametrize("stack", STACKS)
def test_balancer_admits_cloudfront_only_and_forwards_only_with_the_secret(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    alb, task = _group(deployment, "-web-alb"), _group(deployment, "-web-task")
    rules: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for kind in (INGRESS, EGRESS):
        for rule in of_type(deployment, kind):
            rules.setdefault((kind, rule["inputs"]["securityGroupId"]), []).append(rule["inputs"])
    (from_cloudfront,) = rules[(INGRESS, alb)]
    assert from_cloudfront["prefixListId"] == f"pl-{CLOUDFRONT_PREFIX_LIST}"
    assert (from_cloudfront["fromPort"], from_cloudfront["toPort"]) == (80, 80)
    assert "cidrIpv4" not in from_cloudfront
    (to_task,) = rules[(EGRESS, alb)]
    assert to_task["referencedSecurityGroupId"] == task
    (from_alb,) = rules[(INGRESS, task)]
    assert from_alb["referencedSecurityGroupId"] == alb
    assert from_alb["fromPort"] == from_alb["toPort"] == BACKEND_PORT
    out = {(r["ipProtocol"], r["fromPort"], r.get("cidrIpv4")) for r in rules[(EGRESS, task)]}
    assert out == {("tcp", 443, "0.0.0.0/0"), ("udp", 53, CIDR), ("tcp", 53, CIDR)}
    listener = one(deployment, LISTENER)["inputs"]
    (default,) = listener["defaultActions"]
    assert default["fixedResponse"]["statusCode"] == "403"
    (condition,) = _secret(one(deployment, LISTENER_RULE)["inputs"]["conditions"])
    assert condition["httpHeader"] == {
        "httpHeaderName": ORIGIN_HEADER,
        "values": [TEST_ORIGIN_SECRET],
    }
    target = one(deployment, TARGET_GROUP)["inputs"]
    assert (target["targetType"], target["port"]) == ("ip", BACKEND_PORT)
    assert target["healthCheck"]["path"] == HEALTH_PATH
    assert target["stickiness"]["type"] == "lb_cookie"
    assert not [r for r in deployment["resources"] if "natGateway" in r["type"]]


@pytest.mark.parametrize("stack", STACKS)
def test_origin_secret_is_only_ever_recorded_as_a_secret(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    assert _plain_copies(deployment["resources"], TEST_ORIGIN_SECRET) == 0
    assert TEST_ORIGIN_SECRET in json.dumps(deployment["resources"])  # it is there, as a secret
    assert TEST_ORIGIN_SECRET not in json.dumps(deployment["outputs"])


def _plain_copies(value: Any, text: str) -> int:
    """How often `text` occurs outside any recorded secret."""
    if isinstance(value, dict):
        if set(value) == {"__secret__"}:
            return 0
        return sum(_plain_copies(v, text) for v in value.values())
    if isinstance(value, list):
        return sum(_plain_copies(v, text) for v in value)
    return int(isinstance(value, str) and text in value)


@pytest.mark.parametrize("stack", STACKS)
def test_task_runs_the_image_it_was_built_for_with_the_stages_settings(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    task = one(deployment, TASK)["inputs"]
    image = one(deployment, IMAGE)["inputs"]
    assert image["platforms"] == [DOCKER_PLATFORM.value] == ["linux/arm64"]
    assert task["runtimePlatform"]["cpuArchitecture"] == ECS_ARCHITECTURE == "ARM64"
    assert image["push"] is True and image["buildOnPreview"] is False
    assert image["dockerfile"] == {"location": "web/Dockerfile"}
    repository = one(deployment, REPOSITORY)
    url = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{physical_name(repository)}"
    assert image["tags"] == [f"{url}:{image_tag(ROOT)}"]
    container = _container(deployment)
    assert container["image"].startswith(f"{url}:{image_tag(ROOT)}@sha256:")
    assert "taskRoleArn" not in task  # the container has no AWS identity at all
    assert container["readonlyRootFilesystem"] is True
    environment = {e["name"]: e["value"] for e in container["environment"]}
    stage = read_stack_file(ROOT / f"Pulumi.{stack}.yaml")
    outputs = deployment["outputs"]
    # Written by the page's own writers (WebSettings.to_env, reflex_environment).
    assert environment.items() >= {
        "API_URL": outputs["apiUrl"],
        "PASSWORD_MIN_LENGTH": str(stage.password_min_length),
        "REFLEX_CORS_ALLOWED_ORIGINS": outputs["webUrl"],
        # CloudFront and the load balancer each append to X-Forwarded-For.
        "REFLEX_TRUSTED_PROXY_HOPS": "2",
        "REFLEX_TELEMETRY_ENABLED": "false",
    }.items()
    assert "CLIENT_ADDRESS_SECRET" not in environment  # from Parameter Store, below
    parameter = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/signup/{stack}/client-address-secret"
    assert container["secrets"] == [{"name": "CLIENT_ADDRESS_SECRET", "valueFrom": parameter}]
    assert TEST_CLIENT_ADDRESS_SECRET not in json.dumps(container)
    assert container["logConfiguration"]["options"]["awslogs-group"] == f"/ecs/signup-{stack}-web"
    service = one(deployment, ECS_SERVICE)["inputs"]
    assert service["launchType"] == "FARGATE"
    assert service["networkConfiguration"]["assignPublicIp"] is True
    assert service["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert service["waitForSteadyState"] is True
    assert service["loadBalancers"][0]["containerPort"] == BACKEND_PORT


@pytest.mark.parametrize("stack", STACKS)
def test_execution_role_pulls_its_image_writes_its_logs_reads_its_secret_only(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    role = one(deployment, ROLE, "-web-execution")["inputs"]
    (trust,) = json.loads(role["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    policy = json.loads(one(deployment, ROLE_POLICY, "-web-execution")["inputs"]["policy"])
    grants = {
        action: (statement["Resource"], statement.get("Condition"))
        for statement in policy["Statement"]
        for action in statement["Action"]
    }
    repository = (
        f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{physical_name(one(deployment, REPOSITORY))}"
    )
    logs = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/signup-{stack}-web:*"
    parameter = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/signup/{stack}/client-address-secret"
    key_name = physical_name(one(deployment, KEY, "-client-address-secret-key"))
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_name}"
    assert grants == {
        "ecr:BatchCheckLayerAvailability": ([repository], None),
        "ecr:BatchGetImage": ([repository], None),
        "ecr:GetDownloadUrlForLayer": ([repository], None),
        "ecr:GetAuthorizationToken": (["*"], None),
        "logs:CreateLogStream": ([logs], None),
        "logs:PutLogEvents": ([logs], None),
        "ssm:GetParameters": ([parameter], None),
        "kms:Decrypt": (
            [key],
            {"StringEquals": {"kms:EncryptionContext:PARAMETER_ARN": parameter}},
        ),
    }


@pytest.mark.parametrize("stack", STACKS)
def test_client_address_secret_is_a_secure_string_under_its_own_key_and_only_there(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    parameter = one(deployment, PARAMETER, "-client-address-secret-parameter")
    key = one(deployment, KEY, "-client-address-secret-key")
    assert parameter["inputs"]["name"] == f"/signup/{stack}/client-address-secret"
    assert parameter["inputs"]["type"] == "SecureString"
    assert parameter["inputs"]["value"] == {"__secret__": TEST_CLIENT_ADDRESS_SECRET}
    assert parameter["inputs"]["keyId"].endswith(f":key/{physical_name(key)}")
    others = [r for r in deployment["resources"] if r is not parameter]
    assert TEST_CLIENT_ADDRESS_SECRET not in json.dumps(others)


@pytest.mark.parametrize("stack", STACKS)
def test_images_are_scanned_and_expire_beyond_the_newest_builds(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    repository = one(deployment, REPOSITORY)["inputs"]
    assert repository["imageScanningConfiguration"] == {"scanOnPush": True}
    assert one(deployment, LIFECYCLE)["inputs"]["policy"] == LIFECYCLE_POLICY
    (rule,) = json.loads(LIFECYCLE_POLICY)["rules"]
    assert rule["selection"]["countType"] == "imageCountMoreThan"
    assert rule["action"] == {"type": "expire"}


def test_custom_domains_serve_the_page_and_reach_the_backend_over_tls(
    variants: Deployments,
) -> None:
    deployment = variants["custom-domains"]
    url = f"https://{CUSTOM_DOMAINS['domain']}"
    assert deployment["outputs"]["webUrl"] == url
    cdn = one(deployment, DISTRIBUTION)["inputs"]
    assert cdn["aliases"] == [CUSTOM_DOMAINS["domain"]]
    assert cdn["viewerCertificate"] == {
        "acmCertificateArn": CUSTOM_DOMAINS["certificateArn"],
        "sslSupportMethod": "sni-only",
        "minimumProtocolVersion": "TLSv1.2_2021",
    }
    backend = next(o for o in _secret(cdn["origins"]) if o["originId"] == "backend")
    assert backend["domainName"] == CUSTOM_DOMAINS["originDomain"]
    assert backend["customOriginConfig"]["originProtocolPolicy"] == "https-only"
    (behavior,) = cdn["orderedCacheBehaviors"]
    assert behavior["originRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST
    listener = one(deployment, LISTENER)["inputs"]
    assert (listener["port"], listener["protocol"]) == (443, "HTTPS")
    assert listener["certificateArn"] == CUSTOM_DOMAINS["originCertificateArn"]
    alb = _group(deployment, "-web-alb")
    (ingress,) = [
        r["inputs"] for r in of_type(deployment, INGRESS) if r["inputs"]["securityGroupId"] == alb
    ]
    assert ingress["fromPort"] == ingress["toPort"] == 443
    variables = one(deployment, FUNCTION)["inputs"]["environment"]["variables"]
    assert variables["WEB_URL"] == url
    environment = _container(deployment)["environment"]
    assert {"name": "REFLEX_CORS_ALLOWED_ORIGINS", "value": url} in environment


def test_disabled_page_creates_nothing_of_it(variants: Deployments) -> None:
    deployment = variants["no-web"]
    assert not [o for o in deployment["outputs"] if o.startswith("web")]
    assert not [r for r in deployment["resources"] if "-web" in r["name"]]
    variables = one(deployment, FUNCTION)["inputs"]["environment"]["variables"]
    origins = read_stack_file(ROOT / "Pulumi.dev.yaml").cors_origins
    # Links then open the page the team serves itself, at its first origin.
    assert variables["WEB_URL"] == origins[0]
    api = next(r for r in deployment["resources"] if r["type"].endswith("api:Api"))
    assert api["inputs"]["corsConfiguration"]["allowOrigins"] == list(origins)
    # The secret exists either way: the function checks it, a self-hosted page sends it.
    secret = one(deployment, PARAMETER, "-client-address-secret-parameter")
    assert variables["CLIENT_ADDRESS_SECRET_PARAMETER"] == secret["inputs"]["name"]


def test_export_takes_the_stages_page_settings_and_nothing_from_the_shell(tmp_path: Path) -> None:
    bun = tmp_path / "bun"
    bun.touch()
    shell = {
        "PATH": "/usr/bin",
        "PRODUCT_NAME": "Leaked",
        "NEXT_STEP_URL": "/leaked",
        "PASSWORD_MIN_LENGTH": "99",
        "REFLEX_API_URL": "http://leaked.example",
    }
    settings = {"PASSWORD_MIN_LENGTH": "15", "PRODUCT_NAME": "Acme"}
    env = export_environment(settings, tmp_path / ".web", bun, shell)
    assert (env["PRODUCT_NAME"], env["PASSWORD_MIN_LENGTH"]) == ("Acme", "15")
    assert "NEXT_STEP_URL" not in env  # the web app's default, not the shell's
    assert env["REFLEX_API_URL"] == SAME_ORIGIN_API_URL
    assert env["PATH"] == "/usr/bin"


def test_export_refuses_a_setting_the_page_does_not_compile_in(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="CLIENT_ADDRESS_SECRET"):
        build_site(
            source_root=ROOT,
            password_min_length=15,
            wording={"CLIENT_ADDRESS_SECRET": "never in a page"},
            cache_dir=tmp_path,
        )
