"""docs/deploy-policy.json covers what the program creates, on its own resources only."""

from __future__ import annotations

import fnmatch
import json
from typing import Any

import pytest

from tests.infra.conftest import ROOT, STACKS
from tests.infra.mock_deploy import ACCOUNT
from tests.infra.recorded import (
    ALARM,
    API,
    FUNCTION,
    INTEGRATION,
    KEY,
    LOG_GROUP,
    MAIL_CONFIGURATION_SET,
    MAIL_IDENTITY,
    PARAMETER,
    PERMISSION,
    ROLE,
    ROLE_POLICY,
    ROUTE,
    STAGE,
    TABLE,
    physical_name,
)

REGION = "us-east-1"
POLICY = json.loads((ROOT / "docs" / "deploy-policy.json").read_text())
# Statements that must name "*": the action takes no resource, or the
# resource does not exist yet (each is explained in docs/deploy-role.md).
UNSCOPED = {"WhoAmI", "CreatePepperKey", "DescribeParameters", "ApiAccessLogDelivery"}
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
    ALARM: (
        "cloudwatch:PutMetricAlarm",
        _ARN.format(service="cloudwatch", resource="alarm:{name}"),
    ),
    MAIL_CONFIGURATION_SET: (
        "ses:CreateConfigurationSet",
        _ARN.format(service="ses", resource="configuration-set/{name}"),
    ),
    # The identity is the team's own domain or address: no prefix can scope it.
    MAIL_IDENTITY: ("ses:CreateEmailIdentity", _ARN.format(service="ses", resource="identity/x")),
}


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
    for action in ("kms:CreateKey", "kms:Encrypt", "logs:CreateLogDelivery", "iam:PassRole"):
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
        if not resource["custom"] or resource["type"].startswith("pulumi:providers:"):
            continue
        assert resource["type"] in CREATES, f"{resource['type']}: add it to the deploy policy"
        action, template = CREATES[resource["type"]]
        arn = template.replace("{name}", physical_name(resource))
        assert _allowed(action, arn), f"{action} on {arn}"


def test_deploy_role_trusts_the_environment_subjects_not_a_branch() -> None:
    text = (ROOT / "docs" / "deploy-role.md").read_text()
    for stage in STACKS:
        assert f'"repo:OWNER/REPO:environment:{stage}"' in text
    assert "refs/heads" not in text
