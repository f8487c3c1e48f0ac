"""docs/deploy-policy.json lets a stage's role create, wait on and destroy that stage, no more.

The policy is a per-stage template (ACCOUNT_ID, REGION, STAGE); every role the
program creates carries docs/permissions-boundary.json, and the deploy roles
may create roles only with it on them.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterator
from typing import Any

import pytest

from infra.stack.schema import BOUNDARY_POLICY
from tests.plugins.deployments import ROOT, STACKS
from tests.support.mock_deploy import ACCOUNT
from tests.support.recorded import (
    ALARM,
    ALIAS,
    API,
    AUTHORIZER,
    BUCKET,
    BUCKET_POLICY,
    CLUSTER,
    DISTRIBUTION,
    ECS_SERVICE,
    EGRESS,
    ENCRYPTION,
    EVENT_SOURCE_MAPPING,
    FUNCTION,
    GATEWAY,
    IMAGE,
    INGRESS,
    INTEGRATION,
    KEY,
    LIFECYCLE,
    LISTENER,
    LOAD_BALANCER,
    LOG_GROUP,
    MAIL_CONFIGURATION_SET,
    MAIL_IDENTITY,
    OBJECT,
    ORIGIN_ACCESS,
    OWNERSHIP,
    PAGE_FUNCTION,
    PARAMETER,
    PERMISSION,
    PUBLIC_ACCESS_BLOCK,
    QUEUE,
    QUEUE_POLICY,
    REPOSITORY,
    ROLE,
    ROLE_POLICY,
    ROUTE,
    ROUTE_TABLE,
    ROUTE_TABLE_ASSOCIATION,
    SECURITY_GROUP,
    STAGE,
    SUBNET,
    TABLE,
    TARGET_GROUP,
    TASK,
    VPC,
    VPC_ORIGIN,
    of_type,
    physical_name,
)

REGION = "us-east-1"
TEMPLATE = (ROOT / "docs" / "deploy-policy.json").read_text()
BOUNDARY = json.loads((ROOT / "docs" / "permissions-boundary.json").read_text())
BOUNDARY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/{BOUNDARY_POLICY}"
# Statements that must name "*": the action takes no resource, or the
# resource does not exist yet (each is explained in docs/deploy-role.md).
UNSCOPED = {
    *("WhoAmI", "CreatePepperKey", "DescribeParameters", "ApiAccessLogDelivery"),
    *("WebNetworkRead", "WebLoadBalancerRead", "RegistryLogin", "TaskDefinitions"),
    "CreateMailFeed",
    "ReadKeyAliases",
}
# The only statements that may create or change roles, and what they may do.
ROLE_WRITES = ("iam:AttachRolePolicy", "iam:CreateRole", "iam:PutRolePolicy")
ROLE_ESCAPES = ("iam:DeleteRolePermissionsBoundary", "iam:CreatePolicyVersion", "iam:CreatePolicy")

_R = "arn:aws:{service}:" + REGION + ":" + ACCOUNT + ":{resource}"
_API = f"arn:aws:apigateway:{REGION}::/apis"
_CF = f"arn:aws:cloudfront::{ACCOUNT}"
_EC2_READS = ("ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups")
_ELB_READS = ("elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeTags")


def _on(arn: str, *actions: str) -> list[tuple[str, str]]:
    return [(action, arn) for action in actions]


# For each resource type the program registers: every action the provider
# calls on it to create it, wait for it, read it back (refresh, preview) and
# destroy it, with the ARN each is authorised on ({name}: its physical name,
# {stage}: the stack's). Read from the provider behind pulumi-aws 7.x
# (terraform-provider-aws: create/read/delete and their waiters); a new type
# fails here until the policy (and this table) say how it is deployed.
LIFECYCLE: dict[str, list[tuple[str, str]]] = {
    TABLE: _on(
        _R.format(service="dynamodb", resource="table/{name}"),
        *("dynamodb:CreateTable", "dynamodb:DescribeTable", "dynamodb:UpdateContinuousBackups"),
        *("dynamodb:DescribeContinuousBackups", "dynamodb:UpdateTimeToLive"),
        *("dynamodb:DescribeTimeToLive", "dynamodb:ListTagsOfResource", "dynamodb:TagResource"),
        "dynamodb:DeleteTable",
    ),
    KEY: _on("*", "kms:CreateKey", "kms:TagResource")
    + _on(
        _R.format(service="kms", resource="key/{name}"),
        *("kms:DescribeKey", "kms:EnableKeyRotation", "kms:GetKeyPolicy"),
        *("kms:GetKeyRotationStatus", "kms:ListResourceTags", "kms:ScheduleKeyDeletion"),
        # Parameter Store encrypts and (reading it back) decrypts under the key.
        *("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"),
    ),
    PARAMETER: _on("*", "ssm:DescribeParameters")
    + _on(
        _R.format(service="ssm", resource="parameter{name}"),
        *("ssm:PutParameter", "ssm:GetParameter", "ssm:GetParameters"),
        *("ssm:AddTagsToResource", "ssm:ListTagsForResource", "ssm:DeleteParameter"),
    ),
    LOG_GROUP: _on("*", "logs:DescribeLogGroups")
    + _on(
        _R.format(service="logs", resource="log-group:{name}"),
        *("logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:TagResource"),
        *("logs:ListTagsForResource", "logs:DeleteLogGroup"),
    ),
    ROLE: _on(
        f"arn:aws:iam::{ACCOUNT}:role/{{name}}",
        *("iam:CreateRole", "iam:GetRole", "iam:TagRole", "iam:ListRolePolicies"),
        *("iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole"),
        *("iam:DeleteRolePolicy", "iam:DeleteRole", "iam:PassRole"),
    ),
    ROLE_POLICY: _on(
        f"arn:aws:iam::{ACCOUNT}:role/signup-{{stage}}-x-role",
        *("iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"),
    ),
    FUNCTION: _on(
        _R.format(service="lambda", resource="function:{name}"),
        *("lambda:CreateFunction", "lambda:GetFunction", "lambda:ListVersionsByFunction"),
        *("lambda:GetFunctionCodeSigningConfig", "lambda:GetFunctionConcurrency"),
        *("lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency"),
        *("lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration"),
        *("lambda:ListTags", "lambda:TagResource", "lambda:DeleteFunction"),
    ),
    PERMISSION: _on(
        _R.format(service="lambda", resource="function:signup-{stage}-x"),
        *("lambda:AddPermission", "lambda:GetPolicy", "lambda:RemovePermission"),
    ),
    API: _on(_API, "apigateway:POST", "apigateway:GET")
    + _on(f"{_API}/id", "apigateway:GET", "apigateway:PATCH", "apigateway:DELETE"),
    INTEGRATION: _on(f"{_API}/id/integrations", "apigateway:POST", "apigateway:GET")
    + _on(f"{_API}/id/integrations/i", "apigateway:GET", "apigateway:DELETE"),
    ROUTE: _on(f"{_API}/id/routes", "apigateway:POST")
    + _on(f"{_API}/id/routes/r", "apigateway:GET", "apigateway:DELETE"),
    STAGE: _on(f"{_API}/id/stages", "apigateway:POST")
    + _on(f"{_API}/id/stages/s", "apigateway:GET", "apigateway:PATCH", "apigateway:DELETE"),
    ALARM: _on(
        _R.format(service="cloudwatch", resource="alarm:{name}"),
        *("cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms"),
        *("cloudwatch:ListTagsForResource", "cloudwatch:TagResource", "cloudwatch:DeleteAlarms"),
    ),
    MAIL_CONFIGURATION_SET: _on(
        _R.format(service="ses", resource="configuration-set/{name}"),
        *("ses:CreateConfigurationSet", "ses:GetConfigurationSet", "ses:ListTagsForResource"),
        "ses:DeleteConfigurationSet",
    ),
    # The mail worker's feed: a mapping is named by a UUID, so creating one is
    # allowed on "*" under a condition on the function it feeds.
    EVENT_SOURCE_MAPPING: _on("*", "lambda:CreateEventSourceMapping")
    + _on(
        _R.format(service="lambda", resource="event-source-mapping:0f1e2d3c"),
        *("lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping"),
        *("lambda:DeleteEventSourceMapping", "lambda:ListTags", "lambda:TagResource"),
    ),
    QUEUE: _on(
        _R.format(service="sqs", resource="{name}"),
        *("sqs:CreateQueue", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags"),
        *("sqs:SetQueueAttributes", "sqs:TagQueue", "sqs:DeleteQueue"),
    ),
    QUEUE_POLICY: _on(
        _R.format(service="sqs", resource="signup-{stage}-x"),
        *("sqs:SetQueueAttributes", "sqs:GetQueueAttributes"),
    ),
    # The token-signing key's alias: created against the alias here (and the
    # key, whose own policy lets the account administer it); listed on "*".
    ALIAS: _on(_R.format(service="kms", resource="{name}"), "kms:CreateAlias", "kms:DeleteAlias")
    + _on("*", "kms:ListAliases"),
    AUTHORIZER: _on(f"{_API}/id/authorizers", "apigateway:POST")
    + _on(f"{_API}/id/authorizers/a", "apigateway:GET", "apigateway:PATCH", "apigateway:DELETE"),
    # The identity is the team's own domain or address: no prefix can scope it.
    MAIL_IDENTITY: _on(
        _R.format(service="ses", resource="identity/x"),
        *("ses:CreateEmailIdentity", "ses:GetEmailIdentity", "ses:DeleteEmailIdentity"),
        "ses:PutEmailIdentityConfigurationSetAttributes",
    ),
    # EC2 names resources by id: creation is allowed under the tags
    # service=signup and stage=<stage> (conditions are checked separately).
    VPC: _on(
        _R.format(service="ec2", resource="vpc/vpc-1"),
        *("ec2:CreateVpc", "ec2:ModifyVpcAttribute", "ec2:DeleteVpc", "ec2:CreateTags"),
    )
    + _on("*", "ec2:DescribeVpcs", "ec2:DescribeVpcAttribute", "ec2:DescribeRouteTables")
    + _on("*", "ec2:DescribeNetworkAcls", "ec2:DescribeSecurityGroups"),
    SUBNET: _on(
        _R.format(service="ec2", resource="subnet/subnet-1"),
        "ec2:CreateSubnet",
        "ec2:ModifySubnetAttribute",
        "ec2:DeleteSubnet",
    )
    + _on("*", "ec2:DescribeSubnets", "ec2:DescribeAvailabilityZones", *_EC2_READS),
    GATEWAY: _on(
        _R.format(service="ec2", resource="internet-gateway/igw-1"),
        *("ec2:CreateInternetGateway", "ec2:AttachInternetGateway"),
        *("ec2:DetachInternetGateway", "ec2:DeleteInternetGateway"),
    )
    + _on("*", "ec2:DescribeInternetGateways"),
    ROUTE_TABLE: _on(
        _R.format(service="ec2", resource="route-table/rtb-1"),
        *("ec2:CreateRouteTable", "ec2:CreateRoute", "ec2:DeleteRouteTable"),
    )
    + _on("*", "ec2:DescribeRouteTables"),
    ROUTE_TABLE_ASSOCIATION: _on(
        _R.format(service="ec2", resource="route-table/rtb-1"),
        *("ec2:AssociateRouteTable", "ec2:DisassociateRouteTable"),
    ),
    SECURITY_GROUP: _on(
        _R.format(service="ec2", resource="security-group/sg-1"),
        *("ec2:CreateSecurityGroup", "ec2:RevokeSecurityGroupEgress"),
        "ec2:DeleteSecurityGroup",
    )
    + _on("*", *_EC2_READS),
    INGRESS: _on(
        _R.format(service="ec2", resource="security-group/sg-1"),
        *("ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"),
    )
    + _on("*", "ec2:DescribeSecurityGroupRules"),
    EGRESS: _on(
        _R.format(service="ec2", resource="security-group/sg-1"),
        *("ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupEgress"),
    )
    + _on("*", "ec2:DescribeSecurityGroupRules"),
    LOAD_BALANCER: _on(
        _R.format(service="elasticloadbalancing", resource="loadbalancer/app/{name}/0123"),
        *("elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:AddTags"),
        *("elasticloadbalancing:ModifyLoadBalancerAttributes",),
        "elasticloadbalancing:DeleteLoadBalancer",
    )
    + _on("*", *_ELB_READS, "elasticloadbalancing:DescribeLoadBalancerAttributes")
    + _on("*", "elasticloadbalancing:DescribeCapacityReservation", *_EC2_READS),
    TARGET_GROUP: _on(
        _R.format(service="elasticloadbalancing", resource="targetgroup/{name}/0123"),
        *("elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:AddTags"),
        *("elasticloadbalancing:ModifyTargetGroupAttributes",),
        "elasticloadbalancing:DeleteTargetGroup",
    )
    + _on("*", "elasticloadbalancing:DescribeTargetGroups", *_ELB_READS[1:])
    + _on("*", "elasticloadbalancing:DescribeTargetGroupAttributes"),
    LISTENER: _on(
        _R.format(service="elasticloadbalancing", resource="loadbalancer/app/signup-{stage}-x/1"),
        "elasticloadbalancing:CreateListener",
    )
    + _on(
        _R.format(service="elasticloadbalancing", resource="listener/app/signup-{stage}-x/1/2"),
        *("elasticloadbalancing:AddTags", "elasticloadbalancing:ModifyListener"),
        "elasticloadbalancing:DeleteListener",
    )
    + _on("*", "elasticloadbalancing:DescribeListeners", *_ELB_READS[1:])
    + _on("*", "elasticloadbalancing:DescribeListenerAttributes"),
    BUCKET: _on(
        "arn:aws:s3:::{name}",
        *("s3:CreateBucket", "s3:ListBucket", "s3:GetBucketTagging", "s3:PutBucketTagging"),
        *("s3:GetBucketAcl", "s3:GetBucketCORS", "s3:GetBucketWebsite", "s3:GetBucketLogging"),
        *("s3:GetBucketVersioning", "s3:GetAccelerateConfiguration", "s3:GetBucketPolicy"),
        *("s3:GetBucketRequestPayment", "s3:GetLifecycleConfiguration"),
        *("s3:GetReplicationConfiguration", "s3:GetEncryptionConfiguration"),
        *("s3:GetBucketObjectLockConfiguration", "s3:DeleteBucket"),
        # force_destroy empties it first: every version of every object.
        "s3:ListBucketVersions",
    )
    + _on("arn:aws:s3:::{name}/index.html", "s3:DeleteObject", "s3:DeleteObjectVersion"),
    PUBLIC_ACCESS_BLOCK: _on(
        "arn:aws:s3:::signup-{stage}-x",
        "s3:PutBucketPublicAccessBlock",
        "s3:GetBucketPublicAccessBlock",
    ),
    OWNERSHIP: _on(
        "arn:aws:s3:::signup-{stage}-x",
        "s3:PutBucketOwnershipControls",
        "s3:GetBucketOwnershipControls",
    ),
    ENCRYPTION: _on(
        "arn:aws:s3:::signup-{stage}-x",
        "s3:PutEncryptionConfiguration",
        "s3:GetEncryptionConfiguration",
    ),
    BUCKET_POLICY: _on(
        "arn:aws:s3:::signup-{stage}-x",
        *("s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy"),
    ),
    OBJECT: _on(
        "arn:aws:s3:::signup-{stage}-x/index.html",
        *("s3:PutObject", "s3:GetObject", "s3:GetObjectTagging", "s3:DeleteObject"),
        # Deleting an object deletes each of its versions (ListObjectVersions).
        "s3:DeleteObjectVersion",
    )
    + _on("arn:aws:s3:::signup-{stage}-x", "s3:ListBucketVersions"),
    ORIGIN_ACCESS: _on(
        f"{_CF}:origin-access-control/E1",
        "cloudfront:CreateOriginAccessControl",
        "cloudfront:GetOriginAccessControl",
        "cloudfront:DeleteOriginAccessControl",
    ),
    DISTRIBUTION: _on(
        f"{_CF}:distribution/E1",
        *("cloudfront:CreateDistribution", "cloudfront:TagResource"),
        *("cloudfront:GetDistribution", "cloudfront:ListTagsForResource"),
        # Destroy disables it first, waits, then deletes it.
        *("cloudfront:UpdateDistribution", "cloudfront:DeleteDistribution"),
    ),
    PAGE_FUNCTION: _on(
        f"{_CF}:function/{{name}}",
        *("cloudfront:CreateFunction", "cloudfront:DescribeFunction", "cloudfront:GetFunction"),
        *("cloudfront:PublishFunction", "cloudfront:UpdateFunction"),
        "cloudfront:DeleteFunction",
    ),
    VPC_ORIGIN: _on(
        f"{_CF}:vpcorigin/vo_1",
        *("cloudfront:CreateVpcOrigin", "cloudfront:GetVpcOrigin", "cloudfront:TagResource"),
        *("cloudfront:UpdateVpcOrigin", "cloudfront:DeleteVpcOrigin"),
    )
    + _on("*", *_ELB_READS[:1], "ec2:DescribeVpcs", "ec2:DescribeSubnets", *_EC2_READS[1:])
    + _on(
        f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/vpcorigin.cloudfront.amazonaws.com/"
        "AWSServiceRoleForCloudFrontVPCOrigin",
        "iam:CreateServiceLinkedRole",
    ),
    REPOSITORY: _on(
        _R.format(service="ecr", resource="repository/{name}"),
        *("ecr:CreateRepository", "ecr:DescribeRepositories", "ecr:ListTagsForResource"),
        *("ecr:TagResource", "ecr:PutImageScanningConfiguration", "ecr:DeleteRepository"),
        # force delete: the images go with it.
        "ecr:BatchDeleteImage",
        "ecr:ListImages",
    ),
    LIFECYCLE: _on(
        _R.format(service="ecr", resource="repository/signup-{stage}-x"),
        *("ecr:PutLifecyclePolicy", "ecr:GetLifecyclePolicy", "ecr:DeleteLifecyclePolicy"),
    ),
    IMAGE: _on("*", "ecr:GetAuthorizationToken")
    + _on(
        _R.format(service="ecr", resource="repository/signup-{stage}-x"),
        *("ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"),
        *("ecr:BatchCheckLayerAvailability", "ecr:PutImage", "ecr:BatchGetImage"),
        "ecr:DescribeImages",
    ),
    CLUSTER: _on(
        _R.format(service="ecs", resource="cluster/{name}"),
        *("ecs:CreateCluster", "ecs:DescribeClusters", "ecs:ListTagsForResource"),
        *("ecs:TagResource", "ecs:DeleteCluster"),
    ),
    TASK: _on(
        "*",
        *("ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition"),
        "ecs:DeregisterTaskDefinition",
    )
    + _on(
        _R.format(service="ecs", resource="task-definition/signup-{stage}-web:1"), "ecs:TagResource"
    )
    + _on(f"arn:aws:iam::{ACCOUNT}:role/signup-{{stage}}-web-execution-x", "iam:PassRole"),
    ECS_SERVICE: _on(
        _R.format(service="ecs", resource="service/signup-{stage}-web-cluster-x/{name}"),
        *("ecs:CreateService", "ecs:DescribeServices", "ecs:UpdateService"),
        *("ecs:TagResource", "ecs:ListTagsForResource", "ecs:DeleteService"),
        # wait_for_steady_state follows the service's deployment: the provider's
        # waitServiceStable lists it, then describes it (internal/service/ecs/service.go).
        "ecs:ListServiceDeployments",
    )
    + _on(
        _R.format(
            service="ecs", resource="service-deployment/signup-{stage}-web-cluster-x/{name}/d1"
        ),
        "ecs:DescribeServiceDeployments",
    )
    + _on(
        f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
        "iam:CreateServiceLinkedRole",
    ),
}
# Not AWS resources: nothing to allow.
NOT_AWS = ("pulumi:providers:",)


def policy_for(stage: str) -> dict[str, Any]:
    """The deploy policy as the stage's role holds it (docs/deploy-role.md fills the template)."""
    text = TEMPLATE.replace("ACCOUNT_ID", ACCOUNT).replace("REGION", REGION)
    document: dict[str, Any] = json.loads(text.replace("STAGE", stage))
    return document


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def _allowed(policy: dict[str, Any], action: str, arn: str, *, tagged: str | None = None) -> bool:
    """Some statement allows `action` on `arn`; with `tagged`, for a resource of that stage.

    Of the conditions only the stage tag is evaluated (the program tags every
    resource with its stage); the others are checked by the tests below.
    """
    return any(
        action in statement["Action"]
        and any(fnmatch.fnmatchcase(arn, pattern) for pattern in _listed(statement["Resource"]))
        and (tagged is None or _stage_tag(statement) in (None, tagged))
        for statement in policy["Statement"]
    )


def _stage_tag(statement: dict[str, Any]) -> str | None:
    equals = statement.get("Condition", {}).get("StringEquals", {})
    tags = [v for k, v in equals.items() if k.endswith("Tag/stage")]
    return tags[0] if tags else None


def _lifecycle(deployment: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for resource in deployment["resources"]:
        if not resource["custom"] or resource["type"].startswith(NOT_AWS):
            continue
        assert resource["type"] in LIFECYCLE, f"{resource['type']}: add it to the deploy policy"
        name, stage = physical_name(resource), deployment["stack"]
        for action, template in LIFECYCLE[resource["type"]]:
            yield action, template.replace("{name}", name).replace("{stage}", stage)


def test_deploy_policy_has_no_wildcard_actions_and_explains_every_unscoped_statement() -> None:
    policy = policy_for("dev")
    assert policy["Version"] == "2012-10-17"
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        assert all("*" not in action for action in statement["Action"]), statement["Sid"]
        if "*" in _listed(statement["Resource"]):
            assert statement["Sid"] in UNSCOPED, statement["Sid"]
    explained = (ROOT / "docs" / "deploy-role.md").read_text()
    for action in (
        *("kms:CreateKey", "kms:Encrypt", "logs:CreateLogDelivery", "iam:PassRole"),
        *("ecr:GetAuthorizationToken", "ecs:RegisterTaskDefinition", "ec2:Describe"),
        *("elasticloadbalancing:Describe", "iam:CreateServiceLinkedRole"),
        *(
            "iam:PermissionsBoundary",
            "docs/permissions-boundary.json",
            "ecs:ListServiceDeployments",
        ),
    ):
        assert action in explained


def test_deploy_policy_turns_on_http_api_access_logging() -> None:
    # The actions API Gateway documents for activating access logs on an HTTP API.
    for action in (
        "logs:CreateLogDelivery",
        "logs:PutResourcePolicy",
        "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:DescribeResourcePolicies",
        "logs:GetLogDelivery",
        "logs:ListLogDeliveries",
    ):
        assert _allowed(policy_for("dev"), action, "*"), action


@pytest.mark.parametrize("stack", STACKS)
def test_deploy_policy_creates_waits_on_and_destroys_every_resource_of_the_stack(
    deployments: dict[str, dict[str, Any]], stack: str
) -> None:
    policy = policy_for(stack)
    missing = sorted(
        {(a, arn) for a, arn in _lifecycle(deployments[stack]) if not _allowed(policy, a, arn)}
    )
    assert missing == []


def test_deploy_policy_has_the_ecs_waiters_and_the_bucket_emptying_actions() -> None:
    # wait_for_steady_state follows the deployment; force_destroy deletes every version.
    actions = {a for statement in policy_for("dev")["Statement"] for a in statement["Action"]}
    assert {"ecs:ListServiceDeployments", "ecs:DescribeServiceDeployments"} <= actions
    assert {"s3:ListBucketVersions", "s3:DeleteObjectVersion"} <= actions


@pytest.mark.parametrize("stack", STACKS)
def test_one_stages_role_cannot_touch_another_stages_resources(
    deployments: dict[str, dict[str, Any]], stack: str
) -> None:
    # Everything another stage's program creates, as seen by this stage's role:
    # only the actions and resources no name or tag can tell apart remain.
    policy = policy_for(stack)
    for other in (s for s in STACKS if s != stack):
        reached = {
            (action, arn)
            for action, arn in _lifecycle(deployments[other])
            if _allowed(policy, action, arn, tagged=other) and f"signup-{other}-" in arn
        }
        assert reached == set(), other
        for arn in (
            f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/signup/{other}/pepper",
            f"arn:aws:iam::{ACCOUNT}:role/signup-{other}-x",
            f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/signup-{other}-users",
        ):
            assert not any(
                _allowed(policy, action, arn)
                for action in ("ssm:PutParameter", "iam:CreateRole", "dynamodb:DeleteTable")
            )


def test_roles_are_created_only_with_the_permissions_boundary_on_them() -> None:
    policy = policy_for("dev")
    writers = [s for s in policy["Statement"] if set(ROLE_WRITES) & set(s["Action"])]
    assert writers and all(set(ROLE_WRITES) <= set(s["Action"]) for s in writers)
    for statement in writers:
        condition = statement["Condition"]["StringEquals"]["iam:PermissionsBoundary"]
        assert condition == BOUNDARY_ARN
    actions = {a for s in policy["Statement"] for a in s["Action"]}
    assert not actions & set(ROLE_ESCAPES)
    # Tag conditions hold each stage to its own keys and network too.
    for sid in ("CreatePepperKey", "ManagePepperKey", "WebNetworkCreate", "WebNetworkManage"):
        (statement,) = [s for s in policy["Statement"] if s["Sid"] == sid]
        tags = statement["Condition"]["StringEquals"]
        assert "dev" in tags.values() and "signup" in tags.values()


def test_deploy_policy_passes_roles_only_to_lambda_and_ecs_tasks() -> None:
    (statement,) = [s for s in policy_for("dev")["Statement"] if "iam:PassRole" in s["Action"]]
    services = statement["Condition"]["StringEquals"]["iam:PassedToService"]
    assert sorted(services) == ["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"]


@pytest.mark.parametrize("stack", STACKS)
def test_every_role_carries_the_permissions_boundary(
    deployments: dict[str, dict[str, Any]], stack: str
) -> None:
    roles = of_type(deployments[stack], ROLE)
    assert roles
    assert [
        r["name"] for r in roles if r["inputs"].get("permissionsBoundary") != BOUNDARY_ARN
    ] == []


def _boundary_allows(action: str, arn: str) -> bool:
    text = json.dumps(BOUNDARY).replace("ACCOUNT_ID", ACCOUNT).replace("REGION", REGION)
    return _allowed(json.loads(text), action, arn)


@pytest.mark.parametrize("stack", STACKS)
def test_the_boundary_leaves_every_role_what_its_policy_grants(
    deployments: dict[str, dict[str, Any]], stack: str
) -> None:
    # A boundary that cut a grant would fail the stage at run time, not at deploy.
    denied = []
    for policy in of_type(deployments[stack], ROLE_POLICY):
        for statement in json.loads(policy["inputs"]["policy"])["Statement"]:
            for action in _listed(statement["Action"]):
                for arn in _listed(statement["Resource"]):
                    if not _boundary_allows(action, arn):
                        denied.append((policy["name"], action, arn))
    assert denied == []


def test_the_boundary_grants_no_iam_and_no_wildcard_action() -> None:
    actions = [a for s in BOUNDARY["Statement"] for a in _listed(s["Action"])]
    assert not [a for a in actions if a.startswith(("iam:", "sts:")) or "*" in a]


def test_deploy_role_trusts_one_environment_per_stage_not_a_branch() -> None:
    text = (ROOT / "docs" / "deploy-role.md").read_text()
    for stage in STACKS:
        assert f'"repo:OWNER/REPO:environment:{stage}"' in text
        assert f"signup-deploy-{stage}" in text
    assert "refs/heads" not in text


def test_deploy_policy_manages_the_mail_feed_only_for_the_stages_functions() -> None:
    policy = policy_for("dev")
    function = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:signup-dev-*"
    for sid in ("CreateMailFeed", "MailFeed"):
        (statement,) = [s for s in policy["Statement"] if s["Sid"] == sid]
        assert statement["Condition"] == {"ArnLike": {"lambda:FunctionArn": function}}
    mapping = f"arn:aws:lambda:{REGION}:{ACCOUNT}:event-source-mapping:0f1e2d3c"
    for action in ("Get", "Update", "Delete"):
        assert _allowed(policy, f"lambda:{action}EventSourceMapping", mapping)
    for action in ("lambda:TagResource", "lambda:UntagResource", "lambda:ListTags"):
        assert _allowed(policy, action, mapping)
    queue = f"arn:aws:sqs:{REGION}:{ACCOUNT}:signup-dev-mail-worker-failures-a1b2c3d"
    for action in ("CreateQueue", "GetQueueAttributes", "SetQueueAttributes", "DeleteQueue"):
        assert _allowed(policy, f"sqs:{action}", queue)
    assert not _allowed(policy, "sqs:SendMessage", queue)  # only the worker's role sends
    other = f"arn:aws:sqs:{REGION}:{ACCOUNT}:signup-prod-mail-worker-failures-a1b2c3d"
    assert not _allowed(policy, "sqs:DeleteQueue", other)
