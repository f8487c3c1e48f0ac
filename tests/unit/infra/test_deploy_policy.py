"""docs/deploy-policy.json covers what the program creates, on its own resources only."""

from __future__ import annotations

import fnmatch
import json
from typing import Any

import pytest

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
    LISTENER_RULE,
    LOAD_BALANCER,
    LOG_GROUP,
    MAIL_CONFIGURATION_SET,
    MAIL_IDENTITY,
    OBJECT,
    ORIGIN_ACCESS,
    OWNERSHIP,
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
    physical_name,
)

REGION = "us-east-1"
POLICY = json.loads((ROOT / "docs" / "deploy-policy.json").read_text())
# Statements that must name "*": the action takes no resource, or the
# resource does not exist yet (each is explained in docs/deploy-role.md).
UNSCOPED = {
    *("WhoAmI", "CreatePepperKey", "DescribeParameters", "ApiAccessLogDelivery"),
    *("WebNetworkRead", "WebLoadBalancerRead", "RegistryLogin", "TaskDefinitions"),
    "CreateMailFeed",
    "ReadKeyAliases",
}
_API = f"arn:aws:apigateway:{REGION}::/apis"

# For each resource type the program registers: the action that creates it,
# and the ARN it is created under ({name}: its physical name). A new type
# fails here until the policy (and this table) say how it is deployed.
_ARN = "arn:aws:{service}:" + REGION + ":" + ACCOUNT + ":{resource}"
CREATES: dict[str, tuple[str, str]] = {
    TABLE: ("dynamodb:CreateTable", _ARN.format(service="dynamodb", resource="table/{name}")),
    KEY: ("kms:CreateKey", "*"),
    PARAMETER: ("ssm:PutParameter", _ARN.format(service="ssm", resource="parameter{name}")),
    LOG_GROUP: ("logs:CreateLogGroup", _ARN.format(service="logs", resource="log-group:{name}")),
    ROLE: ("iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/{{name}}"),
    ROLE_POLICY: ("iam:PutRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/signup-x-role"),
    FUNCTION: ("lambda:CreateFunction", _ARN.format(service="lambda", resource="function:{name}")),
    PERMISSION: (
        "lambda:AddPermission",
        _ARN.format(service="lambda", resource="function:signup-x"),
    ),
    API: ("apigateway:POST", _API),
    INTEGRATION: ("apigateway:POST", f"{_API}/id/integrations"),
    ROUTE: ("apigateway:POST", f"{_API}/id/routes"),
    STAGE: ("apigateway:POST", f"{_API}/id/stages"),
    AUTHORIZER: ("apigateway:POST", f"{_API}/id/authorizers"),
    # An alias is created against both itself and the key it names.
    ALIAS: ("kms:CreateAlias", _ARN.format(service="kms", resource="{name}")),
    ALARM: (
        "cloudwatch:PutMetricAlarm",
        _ARN.format(service="cloudwatch", resource="alarm:{name}"),
    ),
    MAIL_CONFIGURATION_SET: (
        "ses:CreateConfigurationSet",
        _ARN.format(service="ses", resource="configuration-set/{name}"),
    ),
    # The mail worker's feed: a mapping is named by a UUID, so creating one is
    # allowed on "*" under a condition on the function it feeds.
    EVENT_SOURCE_MAPPING: ("lambda:CreateEventSourceMapping", "*"),
    QUEUE: ("sqs:CreateQueue", _ARN.format(service="sqs", resource="{name}")),
    QUEUE_POLICY: ("sqs:SetQueueAttributes", _ARN.format(service="sqs", resource="signup-x")),
    # The identity is the team's own domain or address: no prefix can scope it.
    MAIL_IDENTITY: ("ses:CreateEmailIdentity", _ARN.format(service="ses", resource="identity/x")),
    # The hosted page. EC2 names resources by id: creation is allowed under
    # the tag service=signup (conditions are not evaluated here).
    VPC: ("ec2:CreateVpc", _ARN.format(service="ec2", resource="vpc/vpc-1")),
    SUBNET: ("ec2:CreateSubnet", _ARN.format(service="ec2", resource="subnet/subnet-1")),
    GATEWAY: (
        "ec2:CreateInternetGateway",
        _ARN.format(service="ec2", resource="internet-gateway/igw-1"),
    ),
    ROUTE_TABLE: ("ec2:CreateRouteTable", _ARN.format(service="ec2", resource="route-table/rtb-1")),
    ROUTE_TABLE_ASSOCIATION: (
        "ec2:AssociateRouteTable",
        _ARN.format(service="ec2", resource="route-table/rtb-1"),
    ),
    SECURITY_GROUP: (
        "ec2:CreateSecurityGroup",
        _ARN.format(service="ec2", resource="security-group/sg-1"),
    ),
    INGRESS: (
        "ec2:AuthorizeSecurityGroupIngress",
        _ARN.format(service="ec2", resource="security-group/sg-1"),
    ),
    EGRESS: (
        "ec2:AuthorizeSecurityGroupEgress",
        _ARN.format(service="ec2", resource="security-group/sg-1"),
    ),
    LOAD_BALANCER: (
        "elasticloadbalancing:CreateLoadBalancer",
        _ARN.format(service="elasticloadbalancing", resource="loadbalancer/app/{name}/0123"),
    ),
    TARGET_GROUP: (
        "elasticloadbalancing:CreateTargetGroup",
        _ARN.format(service="elasticloadbalancing", resource="targetgroup/{name}/0123"),
    ),
    LISTENER: (
        "elasticloadbalancing:CreateListener",
        _ARN.format(service="elasticloadbalancing", resource="loadbalancer/app/signup-x/0123"),
    ),
    LISTENER_RULE: (
        "elasticloadbalancing:CreateRule",
        _ARN.format(service="elasticloadbalancing", resource="listener/app/signup-x/0123/0123"),
    ),
    BUCKET: ("s3:CreateBucket", "arn:aws:s3:::{name}"),
    PUBLIC_ACCESS_BLOCK: ("s3:PutBucketPublicAccessBlock", "arn:aws:s3:::signup-x"),
    OWNERSHIP: ("s3:PutBucketOwnershipControls", "arn:aws:s3:::signup-x"),
    ENCRYPTION: ("s3:PutEncryptionConfiguration", "arn:aws:s3:::signup-x"),
    BUCKET_POLICY: ("s3:PutBucketPolicy", "arn:aws:s3:::signup-x"),
    OBJECT: ("s3:PutObject", "arn:aws:s3:::signup-x/index.html"),
    ORIGIN_ACCESS: (
        "cloudfront:CreateOriginAccessControl",
        f"arn:aws:cloudfront::{ACCOUNT}:origin-access-control/E1",
    ),
    DISTRIBUTION: (
        "cloudfront:CreateDistribution",
        f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1",
    ),
    REPOSITORY: ("ecr:CreateRepository", _ARN.format(service="ecr", resource="repository/{name}")),
    LIFECYCLE: (
        "ecr:PutLifecyclePolicy",
        _ARN.format(service="ecr", resource="repository/signup-x"),
    ),
    IMAGE: ("ecr:PutImage", _ARN.format(service="ecr", resource="repository/signup-x")),
    CLUSTER: ("ecs:CreateCluster", _ARN.format(service="ecs", resource="cluster/{name}")),
    TASK: ("ecs:RegisterTaskDefinition", "*"),
    ECS_SERVICE: (
        "ecs:CreateService",
        _ARN.format(service="ecs", resource="service/signup-x-cluster/{name}"),
    ),
}
# Not AWS resources: nothing to allow (the origin header's random value).
NOT_AWS = ("pulumi:providers:", "random:")


def _allowed(action: str, arn: str) -> bool:
    for statement in POLICY["Statement"]:
        resources = statement["Resource"]
        patterns = [resources] if isinstance(resources, str) else resources
        concrete = [p.replace("ACCOUNT_ID", ACCOUNT).replace("REGION", REGION) for p in patterns]
        if action in statement["Action"] and any(fnmatch.fnmatchcase(arn, p) for p in concrete):
            return True
    return False


def test_deploy_policy_has_no_wildcard_actions_and_explains_every_unscoped_statement() -> None:
    assert POLICY["Version"] == "2012-10-17"
    for statement in POLICY["Statement"]:
        assert statement["Effect"] == "Allow"
        assert all("*" not in action for action in statement["Action"]), statement["Sid"]
        resources = statement["Resource"]
        if "*" in ([resources] if isinstance(resources, str) else resources):
            assert statement["Sid"] in UNSCOPED, statement["Sid"]
    explained = (ROOT / "docs" / "deploy-role.md").read_text()
    for action in (
        *("kms:CreateKey", "kms:Encrypt", "logs:CreateLogDelivery", "iam:PassRole"),
        *("ecr:GetAuthorizationToken", "ecs:RegisterTaskDefinition", "ec2:Describe"),
        *("elasticloadbalancing:Describe", "iam:CreateServiceLinkedRole", "kms:ListAliases"),
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
        assert _allowed(action, "*"), action


@pytest.mark.parametrize("stack", STACKS)
def test_deploy_policy_creates_every_resource_of_the_stack(
    deployments: dict[str, dict[str, Any]], stack: str
) -> None:
    for resource in deployments[stack]["resources"]:
        if not resource["custom"] or resource["type"].startswith(NOT_AWS):
            continue
        assert resource["type"] in CREATES, f"{resource['type']}: add it to the deploy policy"
        action, template = CREATES[resource["type"]]
        arn = template.replace("{name}", physical_name(resource))
        assert _allowed(action, arn), f"{action} on {arn}"


def test_deploy_policy_passes_roles_only_to_lambda_and_ecs_tasks() -> None:
    (statement,) = [s for s in POLICY["Statement"] if "iam:PassRole" in s["Action"]]
    services = statement["Condition"]["StringEquals"]["iam:PassedToService"]
    assert sorted(services) == ["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"]


def test_deploy_role_trusts_the_environment_subjects_not_a_branch() -> None:
    text = (ROOT / "docs" / "deploy-role.md").read_text()
    for stage in STACKS:
        assert f'"repo:OWNER/REPO:environment:{stage}"' in text
    assert "refs/heads" not in text


def test_deploy_policy_manages_the_mail_feed_only_for_this_programs_functions() -> None:
    function = "arn:aws:lambda:REGION:ACCOUNT_ID:function:signup-*"
    for sid in ("CreateMailFeed", "MailFeed"):
        (statement,) = [s for s in POLICY["Statement"] if s["Sid"] == sid]
        assert statement["Condition"] == {"ArnLike": {"lambda:FunctionArn": function}}
    mapping = "arn:aws:lambda:us-east-1:123456789012:event-source-mapping:0f1e2d3c"
    for action in ("Get", "Update", "Delete"):
        assert _allowed(f"lambda:{action}EventSourceMapping", mapping)
    for action in ("lambda:TagResource", "lambda:UntagResource", "lambda:ListTags"):
        assert _allowed(action, mapping)
    queue = f"arn:aws:sqs:{REGION}:{ACCOUNT}:signup-dev-mail-worker-failures-a1b2c3d"
    for action in ("CreateQueue", "GetQueueAttributes", "SetQueueAttributes", "DeleteQueue"):
        assert _allowed(f"sqs:{action}", queue)
    assert not _allowed("sqs:SendMessage", queue)  # only the worker's role sends
