"""`__main__.py` under Pulumi mocks, once per committed stack file: what it asked AWS for."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
from collections.abc import Callable
from email.utils import parseaddr
from typing import Any

import pytest

from backend.config import Settings
from contract.routes import CORS, ROUTES
from contract.table_keys import (
    ATTRIBUTE_DEFINITIONS,
    OWNER_ATTRIBUTE,
    OWNER_INDEX,
    PARTITION_KEY,
    TTL_ATTRIBUTE,
)
from infra.components.function_settings import function_environment
from infra.components.mail_worker import retry_window_seconds
from infra.stack.schema import read_stack_file
from tests.plugins.deployments import ROOT, STACKS, stack_settings
from tests.support.mock_deploy import TEST_PEPPER
from tests.support.recorded import (
    ALARM,
    API,
    AUTHORIZER,
    DISTRIBUTION,
    ECS_SERVICE,
    EVENT_SOURCE_MAPPING,
    FUNCTION,
    INTEGRATION,
    KEY,
    LAMBDA_TRUST,
    LISTENER,
    LOG_GROUP,
    MAIL_CONFIGURATION_SET,
    MAIL_IDENTITY,
    PARAMETER,
    PERMISSION,
    QUEUE,
    ROLE,
    ROLE_POLICY,
    ROUTE,
    STAGE,
    TABLE,
    TASK,
    UNTAGGED,
    by_urn,
    flat,
    grants,
    normalized,
    of_type,
    one,
    physical_name,
)

Deployments = dict[str, dict[str, Any]]
ENV = "inputs.environment.variables"
_FN = f"{FUNCTION}::signup-<stage>-create-user"
_WORKER = f"{FUNCTION}::signup-<stage>-mail-worker"
_WORKER_POLICY = f"{ROLE_POLICY}::signup-<stage>-mail-worker-policy.inputs.policy"
_ALARMS = f"{ALARM}::signup-<stage>-alarms"
_MAIL = f"{MAIL_IDENTITY}::signup-<stage>-mail"
_WEB = "signup-<stage>-web"
_AUTHORIZER = f"{AUTHORIZER}::signup-<stage>-api-tokens"
_CDN = f"{DISTRIBUTION}::{_WEB}-cdn"
_TASK = f"{TASK}::{_WEB}-task"
# The mocks' distribution domain, stage-normalized (see mock_deploy.web_state).
_WEB_URL = f"https://{_WEB}-cdn.cloudfront.net"


def _same(value: Any) -> Any:
    return value


class _ContainerEnv:
    """Equal to a task definition's container JSON whose environment sets `name` to `value`."""

    def __init__(self, name: str, value: str) -> None:
        self.name, self.value = name, value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, str):
            return NotImplemented
        environment = json.loads(other)[0]["environment"]
        return {"name": self.name, "value": self.value} in environment

    def __hash__(self) -> int:
        return hash((self.name, self.value))

    def __repr__(self) -> str:
        return f"<container env {self.name}={self.value}>"


# Which recorded property each stack-file key drives, and how. The per-key
# test checks every value; the diff test checks nothing else differs.
DRIVES: dict[str, list[tuple[str, Callable[[Any], Any] | None]]] = {
    "architecture": [(f"{_FN}.inputs.architectures", lambda v: [v])],
    "memoryMb": [(f"{_FN}.inputs.memorySize", _same)],
    "logLevel": [
        (f"{_FN}.{ENV}.POWERTOOLS_LOG_LEVEL", _same),
        (
            f"{_FN}.inputs.loggingConfig.applicationLogLevel",
            lambda v: {"WARNING": "WARN"}.get(v, v),
        ),
    ],
    "bcryptCost": [(f"{_FN}.{ENV}.BCRYPT_COST", str)],
    "passwordMinLength": [
        (f"{_FN}.{ENV}.PASSWORD_MIN_LENGTH", str),
        (
            f"{_TASK}.inputs.containerDefinitions",
            lambda v: _ContainerEnv("PASSWORD_MIN_LENGTH", str(v)),
        ),
    ],
    # The hosted page's own URL joins the stack's origins.
    "corsOrigins": [
        (
            f"{API}::signup-<stage>-api.inputs.corsConfiguration.allowOrigins",
            lambda v: [*v, _WEB_URL],
        )
    ],
    "throttleRateLimit": [
        (
            f"{STAGE}::signup-<stage>-api-default.inputs.defaultRouteSettings.throttlingRateLimit",
            _same,
        )
    ],
    "throttleBurstLimit": [
        (
            f"{STAGE}::signup-<stage>-api-default.inputs.defaultRouteSettings.throttlingBurstLimit",
            _same,
        )
    ],
    "reservedConcurrency": [(f"{_FN}.inputs.reservedConcurrentExecutions", _same)],
    "logRetentionDays": [
        (f"{LOG_GROUP}::signup-<stage>-create-user-logs.inputs.retentionInDays", _same),
        (f"{LOG_GROUP}::signup-<stage>-mail-worker-logs.inputs.retentionInDays", _same),
        (f"{LOG_GROUP}::signup-<stage>-api-access-logs.inputs.retentionInDays", _same),
        (f"{LOG_GROUP}::{_WEB}-logs.inputs.retentionInDays", _same),
    ],
    "pointInTimeRecovery": [
        (f"{TABLE}::signup-<stage>-users.inputs.pointInTimeRecovery.enabled", _same)
    ],
    "deletionProtection": [
        (f"{TABLE}::signup-<stage>-users.inputs.deletionProtectionEnabled", _same)
    ],
    "retainOnDelete": [(f"{TABLE}::signup-<stage>-users.retainOnDelete", _same)],
    "alarmApi5xxThreshold": [(f"{_ALARMS}-api-5xx.inputs.threshold", _same)],
    "alarmLambdaErrorsThreshold": [
        (f"{_ALARMS}-lambda-errors.inputs.threshold", _same),
        (f"{_ALARMS}-mail-worker-errors.inputs.threshold", _same),
    ],
    "alarmLambdaThrottlesThreshold": [(f"{_ALARMS}-lambda-throttles.inputs.threshold", _same)],
    "alarmActions": [
        (f"{_ALARMS}-{alarm}.inputs.{field}", _same)
        for alarm in (
            *("api-5xx", "lambda-errors", "lambda-throttles", "mail-failures"),
            *("mail-worker-errors", "mail-delayed", "mail-undeliverable"),
            "account-items-left-behind",
        )
        for field in ("alarmActions", "okActions")
    ],
    "alarmMailFailuresThreshold": [(f"{_ALARMS}-mail-failures.inputs.threshold", _same)],
    "verificationTtlSeconds": [
        (f"{_FN}.{ENV}.VERIFICATION_TTL_SECONDS", str),
        # A failed send is retried for as long as its link lives.
        (
            f"{EVENT_SOURCE_MAPPING}::signup-<stage>-mail-worker-feed"
            ".inputs.maximumRecordAgeInSeconds",
            retry_window_seconds,
        ),
    ],
    "rateLimitPerAddress": [(f"{_FN}.{ENV}.RATE_LIMIT_PER_ADDRESS", _same)],
    "rateLimitPerIdentifier": [(f"{_FN}.{ENV}.RATE_LIMIT_PER_IDENTIFIER", _same)],
    "rateLimitPerIdentifierGlobal": [(f"{_FN}.{ENV}.RATE_LIMIT_PER_IDENTIFIER_GLOBAL", _same)],
    "rateLimitMailsPerAddress": [(f"{_FN}.{ENV}.RATE_LIMIT_MAILS_PER_ADDRESS", _same)],
    "passwordMinScore": [(f"{_FN}.{ENV}.PASSWORD_MIN_SCORE", str)],
    "tokenAudience": [
        (f"{_FN}.{ENV}.TOKEN_AUDIENCE", _same),
        (
            f"{AUTHORIZER}::signup-<stage>-api-tokens.inputs.jwtConfiguration.audiences",
            lambda v: [v],
        ),
    ],
    "accessTokenSeconds": [(f"{_FN}.{ENV}.ACCESS_TOKEN_SECONDS", str)],
    # Checked by tests/unit/infra/test_token_signing.py (a rotation's two keys).
    "tokenSigningKeys": [(f"{KEY}::signup-<stage>-token-signing-key-1.inputs.keyUsage", None)],
    "refreshTokenSeconds": [(f"{_FN}.{ENV}.REFRESH_TOKEN_SECONDS", str)],
    "rateLimitSignInFailures": [(f"{_FN}.{ENV}.RATE_LIMIT_SIGN_IN_FAILURES", _same)],
    "rateLimitSignInFailuresGlobal": [(f"{_FN}.{ENV}.RATE_LIMIT_SIGN_IN_FAILURES_GLOBAL", _same)],
    # Rows whose expectation is None are checked by a test of their own (the
    # identity; the mail worker's policy): here they only say which key drives them.
    "mailFrom": [
        (f"{_FN}.{ENV}.MAIL_FROM", _same),
        (f"{_MAIL}-identity.inputs.emailIdentity", None),
        (_WORKER_POLICY, None),
    ],
    "mailDomain": [(f"{_MAIL}-identity.inputs.emailIdentity", None), (_WORKER_POLICY, None)],
    # The nested `web` object, one entry per sub-key (see _settings).
    "web.enabled": [(f"{_CDN}.inputs.enabled", lambda v: True if v else None)],
    "web.desiredCount": [
        (f"{ECS_SERVICE}::{_WEB}-service.inputs.desiredCount", _same),
        (f"{ALARM}::{_WEB}-alarms-healthy-hosts.inputs.threshold", float),
    ],
    "web.cpu": [(f"{_TASK}.inputs.cpu", str)],
    "web.memoryMb": [(f"{_TASK}.inputs.memory", str)],
    "web.domain": [(f"{_CDN}.inputs.aliases", lambda v: [v])],
    "web.certificateArn": [(f"{_CDN}.inputs.viewerCertificate.acmCertificateArn", _same)],
    "web.originCertificateArn": [(f"{LISTENER}::{_WEB}-listener.inputs.certificateArn", _same)],
}
# The mail worker runs the API function's code with its sizing and its
# environment: every key that drives the one drives the other, reserved
# concurrency aside (the stream bounds the worker's concurrency).
for _key, _drives in DRIVES.items():
    if _key != "reservedConcurrency":
        _drives += [(p.replace(_FN, _WORKER, 1), e) for p, e in _drives if p.startswith(_FN)]
# What an absent optional key means: no alarm actions; no reserved concurrency
# (the property is left out, so Lambda leaves the function unreserved); no
# SES domain identity; no custom domains for the page. web.originDomain is checked in test_web.py.
OPTIONAL_DEFAULTS: dict[str, Any] = {
    "alarmActions": [],
    "reservedConcurrency": None,
    "mailDomain": None,
    "web.domain": None,
    "web.certificateArn": None,
    "web.originCertificateArn": None,
}


def _settings(stack: str) -> dict[str, Any]:
    """The stack file's keys, `web`'s sub-keys spelled `web.<key>`, defaults filled in."""
    settings = stack_settings(stack)
    web = settings.pop("web", {})
    return {**OPTIONAL_DEFAULTS, **settings, **{f"web.{k}": v for k, v in web.items()}}


def _policies(deployment: dict[str, Any]) -> list[dict[str, Any]]:
    documents = [json.loads(r["inputs"]["policy"]) for r in of_type(deployment, ROLE_POLICY)]
    documents += [json.loads(r["inputs"]["assumeRolePolicy"]) for r in of_type(deployment, ROLE)]
    return documents


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


@pytest.mark.parametrize("stack", STACKS)
def test_stack_config_drives_each_property(deployments: Deployments, stack: str) -> None:
    settings = _settings(stack)
    leaves = flat(deployments[stack])
    for key, drives in DRIVES.items():
        for path, expected in drives:
            if expected is None:
                continue
            wanted = None if settings[key] is None else expected(settings[key])
            # Both sides stage-normalized: the page's URL is named after the stage.
            actual = normalized(leaves.get(path), stack)
            assert actual == normalized(wanted, stack), f"{stack}: {key} -> {path}"


@pytest.mark.parametrize("stack", STACKS)
def test_mail_identity_is_the_domain_or_else_the_from_address(
    deployments: Deployments, stack: str
) -> None:
    settings = stack_settings(stack)
    identity = one(deployments[stack], MAIL_IDENTITY)["inputs"]
    expected = settings.get("mailDomain") or parseaddr(settings["mailFrom"])[1]
    assert identity["emailIdentity"] == expected
    configuration_set = one(deployments[stack], MAIL_CONFIGURATION_SET)["inputs"]
    assert identity["configurationSetName"] == configuration_set["configurationSetName"]
    assert configuration_set["deliveryOptions"] == {"tlsPolicy": "REQUIRE"}
    assert configuration_set["suppressionOptions"] == {"suppressedReasons": ["BOUNCE", "COMPLAINT"]}
    records = deployments[stack]["outputs"]["mailDnsRecords"]
    if "mailDomain" in settings:
        assert len(records) == 3
        assert all(r["type"] == "CNAME" for r in records)
        assert all(r["name"].endswith(f"._domainkey.{settings['mailDomain']}") for r in records)
        assert all(r["value"].endswith(".dkim.amazonses.com") for r in records)
    else:
        assert records == []


@pytest.mark.parametrize(("a", "b"), list(itertools.combinations(STACKS, 2)))
def test_stacks_differ_exactly_where_their_config_differs(
    deployments: Deployments, a: str, b: str
) -> None:
    settings_a = _settings(a)
    settings_b = _settings(b)
    leaves_a = flat(deployments[a], compare=True)
    leaves_b = flat(deployments[b], compare=True)
    differing = {p for p in leaves_a.keys() | leaves_b.keys() if leaves_a.get(p) != leaves_b.get(p)}
    expected = {
        path
        for key, drives in DRIVES.items()
        # Both stage-normalized, as the leaves are: `signup-dev` and `signup-prod` agree.
        if normalized(settings_a.get(key), a) != normalized(settings_b.get(key), b)
        for path, _ in drives
    }
    assert differing == expected


@pytest.mark.parametrize("stack", STACKS)
def test_outputs_are_the_contract(deployments: Deployments, stack: str) -> None:
    outputs = deployments[stack]["outputs"]
    web = {"webUrl", "webDistributionId", "webBucket", "webClusterName", "webServiceName"}
    assert set(outputs) == {
        *("apiUrl", "createUserUrl", "tableName", "functionName", "stage"),
        *("mailWorkerFunctionName", "mailFailuresQueueUrl"),
        *("mailIdentity", "mailDnsRecords"),
        *web,
        "webRepositoryUrl",
        *("issuerUrl", "jwksUrl", "audience"),
    }
    assert outputs["stage"] == stack
    assert outputs["apiUrl"].startswith("https://")
    assert not outputs["apiUrl"].endswith("/")
    # The mock's endpoint for this stack's API: the URL is the API's, not made up.
    assert outputs["apiUrl"] == f"https://signup-{stack}-api-id.execute-api.us-east-1.amazonaws.com"
    assert outputs["createUserUrl"] == outputs["apiUrl"] + "/createUser"
    assert outputs["tableName"] == f"signup-{stack}-users-a1b2c3d"
    api_function = one(deployments[stack], FUNCTION, "-create-user")
    assert outputs["functionName"] == api_function["inputs"]["name"]
    worker = one(deployments[stack], FUNCTION, "-mail-worker")
    assert outputs["mailWorkerFunctionName"] == worker["inputs"]["name"]
    queue = one(deployments[stack], QUEUE, "-mail-worker-failures")
    assert outputs["mailFailuresQueueUrl"].endswith(f"/123456789012/{physical_name(queue)}")


@pytest.mark.parametrize("stack", STACKS)
def test_every_resource_sits_in_a_component_and_is_tagged(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    for resource in deployment["resources"]:
        if resource["type"] == "pulumi:providers:aws":
            continue
        if not resource["custom"]:
            assert resource["type"].startswith("signup:infra:")
            continue
        assert by_urn(deployment, resource["parent"])["type"].startswith("signup:infra:")
        if resource["type"] not in UNTAGGED:
            tags = resource["inputs"]["tags"]
            assert tags["stage"] == stack and tags["service"] == "signup", resource["name"]


@pytest.mark.parametrize("stack", STACKS)
def test_table_is_on_demand_encrypted_with_the_backend_key_schema(
    deployments: Deployments, stack: str
) -> None:
    table = one(deployments[stack], TABLE)["inputs"]
    assert table["billingMode"] == "PAY_PER_REQUEST"
    assert table["hashKey"] == PARTITION_KEY == "pk"
    assert "rangeKey" not in table
    expected = [
        {"name": a["AttributeName"], "type": a["AttributeType"]} for a in ATTRIBUTE_DEFINITIONS
    ]
    # The owner index's key is the one other attribute with a definition.
    assert (
        table["attributes"]
        == expected
        == [
            {"name": "pk", "type": "S"},
            {"name": "ownerId", "type": "S"},
        ]
    )
    assert table["serverSideEncryption"] == {"enabled": True}
    assert table["ttl"] == {"attributeName": TTL_ATTRIBUTE, "enabled": True}


@pytest.mark.parametrize("stack", STACKS)
def test_table_has_one_sparse_keys_only_index_of_what_each_account_owns(
    deployments: Deployments, stack: str
) -> None:
    table = one(deployments[stack], TABLE)["inputs"]
    # On demand like the table: no capacity of its own, nothing but the keys.
    assert table["globalSecondaryIndexes"] == [
        {
            "name": "byOwner",
            "keySchemas": [{"attributeName": "ownerId", "keyType": "HASH"}],
            "projectionType": "KEYS_ONLY",
        }
    ]
    assert (OWNER_INDEX, OWNER_ATTRIBUTE) == ("byOwner", "ownerId")
    assert "localSecondaryIndexes" not in table


@pytest.mark.parametrize("stack", STACKS)
def test_function_runs_the_backend_handler_on_its_own_log_group(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    resource = one(deployment, FUNCTION, "-create-user")
    function = resource["inputs"]
    assert function["runtime"] == "python3.13"
    assert function["handler"] == "backend.handler.handler"
    assert function["timeout"] <= 15  # well under API Gateway's 30 s
    log_group = one(deployment, LOG_GROUP, "-create-user-logs")
    assert function["loggingConfig"]["logFormat"] == "JSON"
    assert function["loggingConfig"]["logGroup"] == log_group["inputs"]["name"]
    # Created first, so Lambda never makes an unmanaged group of its own.
    assert log_group["urn"] in resource["dependencies"]
    assert one(deployment, ROLE_POLICY, "-create-user-policy")["urn"] in resource["dependencies"]
    role = physical_name(one(deployment, ROLE, "-create-user-role"))
    assert function["role"] == f"arn:aws:iam::123456789012:role/{role}"


@pytest.mark.parametrize("stack", STACKS)
def test_function_environment_names_this_stacks_table_and_pepper(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    variables = one(deployment, FUNCTION, "-create-user")["inputs"]["environment"]["variables"]
    # Exactly the one function that builds the environment, from the stack file.
    assert variables == function_environment(
        read_stack_file(ROOT / f"Pulumi.{stack}.yaml"),
        table_name=variables["TABLE_NAME"],
        pepper_parameter=variables["PEPPER_PARAMETER"],
        mail_configuration_set=variables["MAIL_CONFIGURATION_SET"],
        web_url=variables["WEB_URL"],
        client_address_secret_parameter=variables["CLIENT_ADDRESS_SECRET_PARAMETER"],
        token_issuer=variables["TOKEN_ISSUER"],
        signing_key_id=variables["SIGNING_KEY_ID"],
    )
    configuration_set = one(deployment, MAIL_CONFIGURATION_SET)["inputs"]
    assert variables["MAIL_CONFIGURATION_SET"] == configuration_set["configurationSetName"]
    # Mail links point at this stage's hosted page.
    assert variables["WEB_URL"] == deployments[stack]["outputs"]["webUrl"]
    assert Settings.from_env(variables).pepper_value is None
    assert variables["TABLE_NAME"] == deployments[stack]["outputs"]["tableName"]
    pepper = one(deployment, PARAMETER, "-pepper-parameter")
    assert variables["PEPPER_PARAMETER"] == pepper["inputs"]["name"]
    assert variables["PEPPER_PARAMETER"] == f"/signup/{stack}/pepper"
    # The function checks the secret the page's backend sends: one parameter.
    secret = one(deployment, PARAMETER, "-client-address-secret-parameter")
    assert variables["CLIENT_ADDRESS_SECRET_PARAMETER"] == secret["inputs"]["name"]
    assert variables["CLIENT_ADDRESS_SECRET_PARAMETER"] == f"/signup/{stack}/client-address-secret"
    assert "CLIENT_ADDRESS_SECRET" not in variables  # never the value itself


@pytest.mark.parametrize("stack", STACKS)
def test_function_code_is_the_built_zip_with_its_hash(deployments: Deployments, stack: str) -> None:
    function = one(deployments[stack], FUNCTION, "-create-user")["inputs"]
    path = ROOT / function["code"]["__archive__"]
    assert path.name == f"signup-{stack_settings(stack)['architecture']}.zip"
    digest = base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()
    assert function["sourceCodeHash"] == digest


@pytest.mark.parametrize("stack", STACKS)
def test_role_is_for_this_function_alone_with_exactly_the_needed_grants(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    role = one(deployment, ROLE, "-create-user-role")["inputs"]
    assert json.loads(role["assumeRolePolicy"])["Statement"] == LAMBDA_TRUST
    assert not role.get("managedPolicyArns")
    table_arn = f"arn:aws:dynamodb:us-east-1:123456789012:table/signup-{stack}-users-a1b2c3d"
    log_arn = (
        f"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/signup-{stack}-create-user"
    )
    parameters = "arn:aws:ssm:us-east-1:123456789012:parameter/signup"
    pepper_arn = f"{parameters}/{stack}/pepper"
    secret_arn = f"{parameters}/{stack}/client-address-secret"
    pepper_key = one(deployment, KEY, "-pepper-key")
    secret_key = one(deployment, KEY, "-client-address-secret-key")
    key_arn = "arn:aws:kms:us-east-1:123456789012:key/{}".format
    context = "kms:EncryptionContext:PARAMETER_ARN"
    signing_key = key_arn(physical_name(one(deployment, KEY, "-token-signing-key-1")))
    # No ses:* and no stream: the API records the mail; the mail worker sends it.
    assert grants(deployment, "-create-user") == {
        "dynamodb:BatchGetItem": [([table_arn], None)],
        # A deletion's clean-up: find the account's items on the owner index
        # (Query there only, never on the table), delete them in batches.
        "dynamodb:BatchWriteItem": [([table_arn], None)],
        "dynamodb:Query": [([f"{table_arn}/index/byOwner"], None)],
        "dynamodb:ConditionCheckItem": [([table_arn], None)],
        "dynamodb:DeleteItem": [([table_arn], None)],
        "dynamodb:GetItem": [([table_arn], None)],
        "dynamodb:PutItem": [([table_arn], None)],
        "dynamodb:UpdateItem": [([table_arn], None)],
        "logs:CreateLogStream": [([f"{log_arn}:*"], None)],
        "logs:PutLogEvents": [([f"{log_arn}:*"], None)],
        # Two SecureStrings, each readable and decryptable only as itself.
        "ssm:GetParameter": [([pepper_arn], None), ([secret_arn], None)],
        "kms:Decrypt": [
            ([key_arn(physical_name(pepper_key))], {"StringEquals": {context: pepper_arn}}),
            ([key_arn(physical_name(secret_key))], {"StringEquals": {context: secret_arn}}),
        ],
        # The token-signing key: sign with ES256's algorithm, publish the public key.
        "kms:Sign": [([signing_key], {"StringEquals": {"kms:SigningAlgorithm": "ECDSA_SHA_256"}})],
        "kms:GetPublicKey": [([signing_key], None)],
    }


@pytest.mark.parametrize("stack", STACKS)
def test_no_policy_has_a_wildcard_action_or_resource(deployments: Deployments, stack: str) -> None:
    own_log_groups = {r["inputs"]["name"] for r in of_type(deployments[stack], LOG_GROUP)}
    for document in _policies(deployments[stack]):
        for statement in document["Statement"]:
            assert all("*" not in action for action in _as_list(statement["Action"]))
            if _as_list(statement.get("Resource", [])) == ["*"]:
                # The one action IAM cannot scope: logging in to the account's
                # registry (the web tasks' image pull itself is scoped).
                assert statement["Action"] == ["ecr:GetAuthorizationToken"], statement
                continue
            for resource in _as_list(statement.get("Resource", [])):
                # The one allowed wildcard: the streams of this stack's own log
                # group, which Lambda names at run time.
                base, _, suffix = resource.rpartition(":")
                assert "*" not in base, resource
                if suffix == "*":
                    assert base.split(":log-group:")[1] in own_log_groups, resource


@pytest.mark.parametrize("stack", STACKS)
def test_pepper_is_a_secure_string_under_its_own_key_and_only_there(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    parameter = one(deployment, PARAMETER, "-pepper-parameter")
    key = one(deployment, KEY, "-pepper-key")
    assert parameter["inputs"]["type"] == "SecureString"
    assert parameter["inputs"]["value"] == {"__secret__": TEST_PEPPER}
    assert parameter["inputs"]["keyId"].endswith(f":key/{physical_name(key)}")
    assert key["inputs"]["enableKeyRotation"] is True
    others = [r for r in deployment["resources"] if r is not parameter]
    assert TEST_PEPPER not in json.dumps(others)
    assert TEST_PEPPER not in json.dumps(deployment["outputs"])


@pytest.mark.parametrize("stack", STACKS)
def test_api_routes_every_backend_route_to_the_function_with_payload_2(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    api = one(deployment, API)
    assert api["inputs"]["protocolType"] == "HTTP"
    integration = one(deployment, INTEGRATION)["inputs"]
    assert integration["integrationType"] == "AWS_PROXY"
    assert integration["payloadFormatVersion"] == "2.0"
    assert integration["integrationUri"].endswith(f":function:signup-{stack}-create-user")
    routes = of_type(deployment, ROUTE)
    assert sorted(r["inputs"]["routeKey"] for r in routes) == sorted(r.key for r in ROUTES)
    integration_id = one(deployment, INTEGRATION)["name"] + "-id"
    assert {r["inputs"]["target"] for r in routes} == {f"integrations/{integration_id}"}
    cors = api["inputs"]["corsConfiguration"]
    assert cors["allowMethods"] == list(CORS.allow_methods)
    assert "x-request-id" in cors["exposeHeaders"]


@pytest.mark.parametrize("stack", STACKS)
def test_default_stage_auto_deploys_and_writes_json_access_logs(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    stage = one(deployment, STAGE)["inputs"]
    assert stage["name"] == "$default"
    assert stage["autoDeploy"] is True
    log_group = one(deployment, LOG_GROUP, "-api-access-logs")["inputs"]
    assert stage["accessLogSettings"]["destinationArn"].endswith(f":log-group:{log_group['name']}")
    fields = json.loads(stage["accessLogSettings"]["format"])
    assert fields["requestId"] == "$context.requestId"
    assert fields["status"] == "$context.status"
    assert fields["responseLatency"] == "$context.responseLatency"
    assert fields["sourceIp"] == "$context.identity.sourceIp"
    assert fields["routeKey"] == "$context.routeKey"


@pytest.mark.parametrize("stack", STACKS)
def test_lambda_permissions_are_scoped_to_this_api_and_each_route(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    api_id = one(deployment, API)["name"] + "-id"
    permissions = [p["inputs"] for p in of_type(deployment, PERMISSION)]
    for permission in permissions:
        assert permission["action"] == "lambda:InvokeFunction"
        assert permission["principal"] == "apigateway.amazonaws.com"
        assert permission["function"] == f"signup-{stack}-create-user"
    execute_api = f"arn:aws:execute-api:us-east-1:123456789012:{api_id}"
    assert sorted(p["sourceArn"] for p in permissions) == sorted(
        f"{execute_api}/*/{route.method}{route.path}" for route in ROUTES
    )


@pytest.mark.parametrize("stack", STACKS)
def test_alarms_watch_api_5xx_function_errors_throttles_and_mail(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    api_id = one(deployment, API)["name"] + "-id"
    function = f"signup-{stack}-create-user"
    queue = physical_name(one(deployment, QUEUE, "-mail-worker-failures"))
    prefix = f"signup-{stack}-alarms-"
    # The page's own alarms are test_hosted_page.py's.
    service = [a for a in of_type(deployment, ALARM) if "-web-alarms-" not in a["name"]]
    watched = {
        a["name"].removeprefix(prefix): (
            a["inputs"]["namespace"],
            a["inputs"]["metricName"],
            a["inputs"]["dimensions"],
            a["inputs"]["statistic"],
        )
        for a in service
    }
    assert watched == {
        "api-5xx": ("AWS/ApiGateway", "5xx", {"ApiId": api_id}, "Sum"),
        "lambda-errors": ("AWS/Lambda", "Errors", {"FunctionName": function}, "Sum"),
        "lambda-throttles": ("AWS/Lambda", "Throttles", {"FunctionName": function}, "Sum"),
        # The functions' own EMF metric, in its namespace and its one dimension.
        "mail-failures": ("Signup", "MailFailed", {"service": "signup"}, "Sum"),
        "mail-worker-errors": (
            *("AWS/Lambda", "Errors"),
            {"FunctionName": f"signup-{stack}-mail-worker"},
            "Sum",
        ),
        # The oldest record of a batch, in milliseconds since it was written.
        "mail-delayed": (
            *("AWS/Lambda", "IteratorAge"),
            {"FunctionName": f"signup-{stack}-mail-worker"},
            "Maximum",
        ),
        # Any deletion that left items behind (its clean-up failed).
        "account-items-left-behind": (
            *("Signup", "AccountItemsLeftBehind"),
            {"service": "signup"},
            "Sum",
        ),
        # Any message in the failure queue is a mail given up on.
        "mail-undeliverable": (
            *("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
            {"QueueName": queue},
            "Maximum",
        ),
    }
    assert one(deployment, ALARM, "-mail-undeliverable")["inputs"]["threshold"] == 0
    assert one(deployment, ALARM, "-account-items-left-behind")["inputs"]["threshold"] == 0
    assert one(deployment, ALARM, "-mail-delayed")["inputs"]["threshold"] == 5 * 60 * 1000
    for alarm in service:
        assert alarm["inputs"]["comparisonOperator"] == "GreaterThanThreshold"
        assert alarm["inputs"]["treatMissingData"] == "notBreaching"


def test_prod_protects_its_data_and_names_its_origins(deployments: Deployments) -> None:
    prod = deployments["prod"]
    table = one(prod, TABLE)
    assert table["retainOnDelete"] is True
    assert table["inputs"]["deletionProtectionEnabled"] is True
    assert table["inputs"]["pointInTimeRecovery"] == {"enabled": True}
    origins = one(prod, API)["inputs"]["corsConfiguration"]["allowOrigins"]
    assert origins and all(
        "*" not in origin and origin.startswith("https://") for origin in origins
    )


def test_committed_stacks_are_dev_staging_prod() -> None:
    assert sorted(STACKS) == ["dev", "prod", "staging"]
