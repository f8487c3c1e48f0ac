"""The hosted sign-up page under Pulumi mocks: private bucket, page paths, a private backend."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from bench.cost import ROTATED_KEYS, STAGE_KEYS, alarm_count
from infra.build.page_export import (
    NOT_FOUND_PAGE,
    ROOT_OBJECT,
    StaticSite,
    build_site,
    export_environment,
)
from infra.components.page.alarms import PAGE_ALARMS
from infra.components.page.edge import (
    ALL_VIEWER,
    ALL_VIEWER_EXCEPT_HOST,
    CACHING_DISABLED,
    CACHING_OPTIMIZED,
    SECURITY_HEADERS,
)
from infra.components.page.image import (
    DOCKER_PLATFORM,
    ECS_ARCHITECTURE,
    LIFECYCLE_POLICY,
    image_tag,
)
from infra.components.page.network import CIDR, PRIVATE_CIDRS, PUBLIC_CIDRS
from infra.components.page.page_paths import RUNTIME, function_code
from infra.components.page.vpc_origin import VPC_ORIGIN_GROUP
from infra.stack.schema import read_stack_file
from signup_web.hosting import BACKEND_PATH, BACKEND_PORT, HEALTH_PATH, SAME_ORIGIN_API_URL
from tests.plugins.deployments import CUSTOM_DOMAINS, ROOT, STACKS
from tests.support.mock_deploy import ACCOUNT, TEST_CLIENT_ADDRESS_SECRET, VPC_ORIGIN_GROUP_ID
from tests.support.recorded import (
    ALARM,
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
    LOAD_BALANCER,
    OBJECT,
    ORIGIN_ACCESS,
    OWNERSHIP,
    PAGE_FUNCTION,
    PARAMETER,
    PUBLIC_ACCESS_BLOCK,
    REPOSITORY,
    ROLE,
    ROLE_POLICY,
    ROUTE_TABLE,
    ROUTE_TABLE_ASSOCIATION,
    SECURITY_GROUP,
    SUBNET,
    TARGET_GROUP,
    TASK,
    VPC_ORIGIN,
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
def test_page_paths_resolve_at_the_edge_by_a_viewer_request_function(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    function = one(deployment, PAGE_FUNCTION)
    assert function["inputs"]["runtime"] == RUNTIME == "cloudfront-js-2.0"
    assert function["inputs"]["code"] == function_code()
    assert function["inputs"]["publish"] is True
    site = one(deployment, DISTRIBUTION)["inputs"]["defaultCacheBehavior"]
    arn = f"arn:aws:cloudfront::{ACCOUNT}:function/{physical_name(function)}"
    assert site["functionAssociations"] == [{"eventType": "viewer-request", "functionArn": arn}]


@pytest.mark.parametrize("stack", STACKS)
def test_origins_are_the_private_bucket_and_the_internal_balancer_through_a_vpc_origin(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    origins = {o["originId"]: o for o in one(deployment, DISTRIBUTION)["inputs"]["origins"]}
    bucket = physical_name(one(deployment, BUCKET))
    assert origins["site"]["domainName"] == f"{bucket}.s3.{REGION}.amazonaws.com"
    assert (
        origins["site"]["originAccessControlId"] == one(deployment, ORIGIN_ACCESS)["name"] + "-id"
    )
    backend = origins["backend"]
    assert backend["domainName"].endswith(f".{REGION}.elb.amazonaws.com")
    vpc_origin = one(deployment, VPC_ORIGIN)
    assert backend["vpcOriginConfig"] == {"vpcOriginId": vpc_origin["name"] + "-id"}
    # No shared secret header and no custom origin left to reach over the internet.
    assert "customHeaders" not in backend and "customOriginConfig" not in backend
    config = vpc_origin["inputs"]["vpcOriginEndpointConfig"]
    balancer = one(deployment, LOAD_BALANCER)
    assert config["arn"].endswith(f":loadbalancer/app/{physical_name(balancer)}/0123")
    # HTTP from CloudFront's interface in the VPC to the balancer: AWS's network only.
    assert (config["originProtocolPolicy"], config["httpPort"]) == ("http-only", 80)


@pytest.mark.parametrize("stack", STACKS)
def test_no_origin_is_reached_in_plain_http_over_the_internet(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    for origin in one(deployment, DISTRIBUTION)["inputs"]["origins"]:
        custom = origin.get("customOriginConfig")
        assert custom is None or custom["originProtocolPolicy"] == "https-only", origin
        assert custom or "vpcOriginConfig" in origin or "originAccessControlId" in origin
    for balancer in of_type(deployment, LOAD_BALANCER):
        assert balancer["inputs"]["internal"] is True


@pytest.mark.parametrize("stack", STACKS)
def test_balancer_is_internal_and_admits_cloudfronts_vpc_origin_only(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    alb, task = _group(deployment, "-web-alb"), _group(deployment, "-web-task")
    rules: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for kind in (INGRESS, EGRESS):
        for rule in of_type(deployment, kind):
            rules.setdefault((kind, rule["inputs"]["securityGroupId"]), []).append(rule["inputs"])
    (from_cloudfront,) = rules[(INGRESS, alb)]
    # The group CloudFront made for the VPC origin (looked up by VPC_ORIGIN_GROUP).
    assert VPC_ORIGIN_GROUP == "CloudFront-VPCOrigins-Service-SG"
    assert from_cloudfront["referencedSecurityGroupId"] == VPC_ORIGIN_GROUP_ID
    assert (from_cloudfront["fromPort"], from_cloudfront["toPort"]) == (80, 80)
    assert "prefixListId" not in from_cloudfront and "cidrIpv4" not in from_cloudfront
    (to_task,) = rules[(EGRESS, alb)]
    assert to_task["referencedSecurityGroupId"] == task
    (from_alb,) = rules[(INGRESS, task)]
    assert from_alb["referencedSecurityGroupId"] == alb
    assert from_alb["fromPort"] == from_alb["toPort"] == BACKEND_PORT
    out = {(r["ipProtocol"], r["fromPort"], r.get("cidrIpv4")) for r in rules[(EGRESS, task)]}
    assert out == {("tcp", 443, "0.0.0.0/0"), ("udp", 53, CIDR), ("tcp", 53, CIDR)}
    balancer = one(deployment, LOAD_BALANCER)["inputs"]
    assert balancer["internal"] is True
    subnets = {s["name"] + "-id": s["inputs"]["cidrBlock"] for s in of_type(deployment, SUBNET)}
    assert {subnets[s] for s in balancer["subnets"]} == set(PRIVATE_CIDRS)
    service = one(deployment, ECS_SERVICE)["inputs"]
    tasks = service["networkConfiguration"]["subnets"]
    assert {subnets[s] for s in tasks} == set(PUBLIC_CIDRS)
    # The private subnets' table has no route at all: nothing leaves, nothing comes in.
    private = one(deployment, ROUTE_TABLE, "-web-private")
    assert not private["inputs"].get("routes")
    associated = {
        a["inputs"]["subnetId"]
        for a in of_type(deployment, ROUTE_TABLE_ASSOCIATION)
        if a["inputs"]["routeTableId"] == private["name"] + "-id"
    }
    assert associated == set(balancer["subnets"])
    listener = one(deployment, LISTENER)["inputs"]
    assert (listener["port"], listener["protocol"]) == (80, "HTTP")
    (default,) = listener["defaultActions"]
    assert default["type"] == "forward"
    target = one(deployment, TARGET_GROUP)["inputs"]
    assert (target["targetType"], target["port"]) == ("ip", BACKEND_PORT)
    assert target["healthCheck"]["path"] == HEALTH_PATH
    assert target["stickiness"]["type"] == "lb_cookie"
    assert not [r for r in deployment["resources"] if "natGateway" in r["type"]]


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
    assert (
        environment.items()
        >= {
            "API_URL": outputs["apiUrl"],
            "PASSWORD_MIN_LENGTH": str(stage.password_min_length),
            "REFLEX_CORS_ALLOWED_ORIGINS": outputs["webUrl"],
            # CloudFront and the load balancer each append to X-Forwarded-For.
            "REFLEX_TRUSTED_PROXY_HOPS": "2",
            "REFLEX_TELEMETRY_ENABLED": "false",
        }.items()
    )
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
    backend = next(o for o in cdn["origins"] if o["originId"] == "backend")
    assert backend["domainName"] == CUSTOM_DOMAINS["originDomain"]
    config = one(deployment, VPC_ORIGIN)["inputs"]["vpcOriginEndpointConfig"]
    assert (config["originProtocolPolicy"], config["httpsPort"]) == ("https-only", 443)
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
    variables = one(deployment, FUNCTION, "-create-user")["inputs"]["environment"]["variables"]
    assert variables["WEB_URL"] == url
    environment = _container(deployment)["environment"]
    assert {"name": "REFLEX_CORS_ALLOWED_ORIGINS", "value": url} in environment


def test_disabled_page_creates_nothing_of_it(variants: Deployments) -> None:
    deployment = variants["no-web"]
    assert not [o for o in deployment["outputs"] if o.startswith("web")]
    assert not [r for r in deployment["resources"] if "-web" in r["name"]]
    variables = one(deployment, FUNCTION, "-create-user")["inputs"]["environment"]["variables"]
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


@pytest.mark.parametrize("stack", STACKS)
def test_page_alarms_watch_the_tasks_and_the_cost_floor_counts_every_alarm(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    stage = read_stack_file(ROOT / f"Pulumi.{stack}.yaml")
    alarms = of_type(deployment, ALARM)
    # bench/cost.py prices exactly the alarms the program makes.
    assert len(alarms) == alarm_count(stage.web if stage.web.enabled else None)
    page = {
        a["name"].rsplit("-web-alarms-", 1)[1]: a["inputs"]
        for a in alarms
        if "-web-alarms-" in a["name"]
    }
    assert set(page) == set(PAGE_ALARMS)
    healthy = page["healthy-hosts"]
    assert (healthy["metricName"], healthy["comparisonOperator"]) == (
        "HealthyHostCount",
        "LessThanThreshold",
    )
    assert healthy["threshold"] == stage.web.desired_count
    assert healthy["treatMissingData"] == "breaching"  # no data: nothing answers
    balancer = physical_name(one(deployment, LOAD_BALANCER))
    for alarm in page.values():
        assert alarm["namespace"] == "AWS/ApplicationELB"
        assert alarm["dimensions"]["LoadBalancer"] == f"app/{balancer}/0123"
        assert alarm["alarmActions"] == list(stage.alarms.actions)


@pytest.mark.parametrize("stack", STACKS)
def test_bucket_settings_are_applied_one_after_another(
    deployments: Deployments, stack: str
) -> None:
    # S3 refuses concurrent changes to one bucket's settings (409 OperationAborted).
    deployment = deployments[stack]
    chain = [one(deployment, kind) for kind in (PUBLIC_ACCESS_BLOCK, OWNERSHIP, ENCRYPTION)]
    for before, after in itertools.pairwise(chain):
        assert before["urn"] in after["dependencies"], after["type"]
    settled = chain[-1]["urn"]
    assert settled in one(deployment, BUCKET_POLICY)["dependencies"]
    assert all(settled in o["dependencies"] for o in of_type(deployment, OBJECT))


@pytest.mark.parametrize("stack", STACKS)
def test_the_cost_floor_counts_every_kms_key_and_its_rotations(
    deployments: Deployments, stack: str
) -> None:
    # bench/cost.py prices STAGE_KEYS keys, each with its charged rotations.
    keys = of_type(deployments[stack], KEY)
    assert len(keys) == STAGE_KEYS
    rotated = [key for key in keys if key["inputs"].get("keyUsage") != "SIGN_VERIFY"]
    assert len(rotated) == ROTATED_KEYS
    assert all(key["inputs"]["enableKeyRotation"] is True for key in rotated)
