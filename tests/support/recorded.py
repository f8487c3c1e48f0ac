"""Queries over a mock deployment's JSON (see mock_deploy.py): resources by type and role."""

from __future__ import annotations

import json
import re
from typing import Any

TABLE = "aws:dynamodb/table:Table"
FUNCTION = "aws:lambda/function:Function"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
KEY = "aws:kms/key:Key"
PARAMETER = "aws:ssm/parameter:Parameter"
API = "aws:apigatewayv2/api:Api"
STAGE = "aws:apigatewayv2/stage:Stage"
INTEGRATION = "aws:apigatewayv2/integration:Integration"
ROUTE = "aws:apigatewayv2/route:Route"
PERMISSION = "aws:lambda/permission:Permission"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
MAIL_IDENTITY = "aws:sesv2/emailIdentity:EmailIdentity"
MAIL_CONFIGURATION_SET = "aws:sesv2/configurationSet:ConfigurationSet"
# The mail worker's feed and failure queue (infra/components/mail_worker.py).
EVENT_SOURCE_MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping"
QUEUE = "aws:sqs/queue:Queue"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
ALIAS = "aws:kms/alias:Alias"
AUTHORIZER = "aws:apigatewayv2/authorizer:Authorizer"
# The hosted page (infra/web).
VPC = "aws:ec2/vpc:Vpc"
GATEWAY = "aws:ec2/internetGateway:InternetGateway"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
BUCKET = "aws:s3/bucket:Bucket"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
)
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"
ORIGIN_ACCESS = "aws:cloudfront/originAccessControl:OriginAccessControl"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
PAGE_FUNCTION = "aws:cloudfront/function:Function"
VPC_ORIGIN = "aws:cloudfront/vpcOrigin:VpcOrigin"
REPOSITORY = "aws:ecr/repository:Repository"
LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
IMAGE = "docker-build:index:Image"
CLUSTER = "aws:ecs/cluster:Cluster"
TASK = "aws:ecs/taskDefinition:TaskDefinition"
ECS_SERVICE = "aws:ecs/service:Service"
# Types that carry no tags (AWS or the provider offers none, or they are not
# AWS resources): the tagging test leaves them out.
UNTAGGED = frozenset(
    {
        "aws:iam/rolePolicy:RolePolicy",
        "aws:apigatewayv2/integration:Integration",
        "aws:apigatewayv2/route:Route",
        "aws:lambda/permission:Permission",
        QUEUE_POLICY,
        # Neither takes tags; the key an alias names, and the API, carry them.
        ALIAS,
        AUTHORIZER,
        ROUTE_TABLE_ASSOCIATION,
        PUBLIC_ACCESS_BLOCK,
        OWNERSHIP,
        ENCRYPTION,
        BUCKET_POLICY,
        OBJECT,
        ORIGIN_ACCESS,
        LIFECYCLE,
        IMAGE,
    }
)


def of_type(deployment: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    """Every registration of `type_`."""
    return [r for r in deployment["resources"] if r["type"] == type_]


def one(deployment: dict[str, Any], type_: str, suffix: str = "") -> dict[str, Any]:
    """The single registration of `type_` whose name ends with `suffix`."""
    found = [r for r in of_type(deployment, type_) if r["name"].endswith(suffix)]
    assert len(found) == 1, f"expected one {type_} ending {suffix!r}, got {len(found)}"
    return found[0]


def physical_name(resource: dict[str, Any]) -> str:
    """The name AWS would see: the explicit one, or the mocks' stand-in for auto-naming."""
    return str(resource["inputs"].get("name") or f"{resource['name']}-a1b2c3d")


def by_urn(deployment: dict[str, Any], urn: str) -> dict[str, Any]:
    """The registration with this URN."""
    return next(r for r in deployment["resources"] if r["urn"] == urn)


def normalized(value: Any, stage: str) -> Any:
    """`value` with the stage's name replaced, so two stacks can be compared."""
    token = re.compile(rf"(?<![a-z0-9]){re.escape(stage)}(?![a-z0-9])")
    if isinstance(value, str):
        return token.sub("<stage>", value)
    if isinstance(value, dict):
        return {normalized(k, stage): normalized(v, stage) for k, v in value.items()}
    if isinstance(value, list):
        return [normalized(item, stage) for item in value]
    return value


def flat(deployment: dict[str, Any], *, compare: bool = False) -> dict[str, Any]:
    """Every resource property as `type::<stage-normalized name>.path -> leaf` (lists are leaves).

    With `compare`, values are stage-normalized too, so two stacks' leaves can be diffed.
    """
    leaves: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict) and value and "__secret__" not in value:
            for key, item in value.items():
                walk(f"{prefix}.{normalized(key, stage)}", item)
        else:
            leaves[prefix] = value

    stage = deployment["stack"]
    resources = deployment["resources"]
    for resource in normalized(resources, stage) if compare else resources:
        if resource["type"] == OBJECT:
            # Named after the export's content-hashed files: test_web.py checks
            # them against the export itself instead.
            continue
        base = f"{resource['type']}::{normalized(resource['name'], stage)}"
        walk(f"{base}.inputs", resource["inputs"])
        leaves[f"{base}.retainOnDelete"] = resource["retainOnDelete"]
        leaves[f"{base}.protect"] = resource["protect"]
    return leaves


def grants(deployment: dict[str, Any], role: str) -> dict[str, list[tuple[Any, Any]]]:
    """The inline policy `<role>-policy` as `action -> [(resources, condition), ...]`."""
    policy = one(deployment, ROLE_POLICY, f"{role}-policy")["inputs"]
    assert policy["role"] == one(deployment, ROLE, f"{role}-role")["name"] + "-id"
    found: dict[str, list[tuple[Any, Any]]] = {}
    for statement in json.loads(policy["policy"])["Statement"]:
        assert statement["Effect"] == "Allow"
        for action in statement["Action"]:
            found.setdefault(action, []).append((statement["Resource"], statement.get("Condition")))
    return found


# A Lambda function's role: only Lambda may assume it.
LAMBDA_TRUST = [
    {
        "Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
]
