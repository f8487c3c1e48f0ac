"""The stage as a token issuer, under Pulumi mocks for every committed stack: the KMS signing key
and its policy, the JWT authorizer on the bearer routes, the function's token settings, outputs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contract.routes import JWKS, ROUTES
from tests.plugins.deployments import (
    STACK_FILES,
    STACKS,
    _committed_config,
    deploy_all,
    stack_settings,
)
from tests.support.recorded import (
    ALIAS,
    AUTHORIZER,
    FUNCTION,
    KEY,
    ROLE,
    ROLE_POLICY,
    ROUTE,
    of_type,
    one,
    physical_name,
)

Deployments = dict[str, dict[str, Any]]
ACCOUNT = "123456789012"


def _signing_key(deployment: dict[str, Any]) -> dict[str, Any]:
    return one(deployment, KEY, "-token-signing-key-1")


@pytest.mark.parametrize("stack", STACKS)
def test_signing_key_is_an_asymmetric_p256_signing_key(
    deployments: Deployments, stack: str
) -> None:
    key = _signing_key(deployments[stack])["inputs"]
    assert key["customerMasterKeySpec"] == "ECC_NIST_P256"
    assert key["keyUsage"] == "SIGN_VERIFY"
    assert "enableKeyRotation" not in key  # KMS rotates only symmetric keys
    alias = one(deployments[stack], ALIAS)["inputs"]
    assert alias["name"] == f"alias/signup-{stack}-token-signing"


@pytest.mark.parametrize("stack", STACKS)
def test_signing_key_policy_lets_only_the_function_sign(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    policy = json.loads(_signing_key(deployment)["inputs"]["policy"])
    role_arn = (
        f"arn:aws:iam::{ACCOUNT}:role/{physical_name(one(deployment, ROLE, '-create-user-role'))}"
    )
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert set(by_sid) == {"AdministerKey", "SignTokens", "PublishPublicKey"}
    admin = by_sid["AdministerKey"]
    assert admin["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    # The account administers the key; nothing there lets it (or an IAM policy) sign.
    assert not any(a in ("kms:*", "kms:Sign") or a.startswith("kms:Sign") for a in admin["Action"])
    assert by_sid["SignTokens"]["Principal"] == {"AWS": role_arn}
    assert by_sid["SignTokens"]["Action"] == ["kms:Sign"]
    assert by_sid["SignTokens"]["Condition"] == {
        "StringEquals": {"kms:SigningAlgorithm": "ECDSA_SHA_256"}
    }
    assert by_sid["PublishPublicKey"]["Principal"] == {"AWS": role_arn}
    assert by_sid["PublishPublicKey"]["Action"] == ["kms:GetPublicKey"]
    assert all(s["Effect"] == "Allow" for s in policy["Statement"])


@pytest.mark.parametrize("stack", STACKS)
def test_function_signs_with_the_stage_key_as_the_stage_issuer(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    variables = one(deployment, FUNCTION, "-create-user")["inputs"]["environment"]["variables"]
    outputs = deployment["outputs"]
    assert variables["SIGNING_KEY_ID"] == physical_name(_signing_key(deployment))
    assert variables["TOKEN_ISSUER"] == outputs["issuerUrl"] == outputs["apiUrl"]
    assert variables["TOKEN_AUDIENCE"] == outputs["audience"]
    assert int(variables["ACCESS_TOKEN_SECONDS"]) <= 900


@pytest.mark.parametrize("stack", STACKS)
def test_outputs_name_the_issuer_its_keys_and_the_audience(
    deployments: Deployments, stack: str
) -> None:
    outputs = deployments[stack]["outputs"]
    assert outputs["jwksUrl"] == outputs["issuerUrl"] + JWKS.path
    assert outputs["audience"] == stack_settings(stack)["tokenAudience"]


@pytest.mark.parametrize("stack", STACKS)
def test_bearer_routes_sit_behind_the_stage_jwt_authorizer(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    authorizer = one(deployment, AUTHORIZER)
    inputs = authorizer["inputs"]
    assert inputs["authorizerType"] == "JWT"
    assert inputs["identitySources"] == ["$request.header.Authorization"]
    assert inputs["jwtConfiguration"] == {
        "issuer": deployment["outputs"]["issuerUrl"],
        "audiences": [deployment["outputs"]["audience"]],
    }
    bearer = {route.key for route in ROUTES if route.bearer}
    assert bearer == {"GET /me", "DELETE /me"}
    for route in of_type(deployment, ROUTE):
        if route["inputs"]["routeKey"] in bearer:
            assert route["inputs"]["authorizationType"] == "JWT"
            assert route["inputs"]["authorizerId"] == f"{authorizer['name']}-id"
        else:
            assert route["inputs"].get("authorizationType") in (None, "NONE")


def test_a_rotation_signs_with_the_new_key_and_only_publishes_the_old(
    deployments: Deployments, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # `deployments` first: the zip and the page's export are built by then.
    config = _committed_config(STACK_FILES[STACKS.index("dev")])
    config["signup:tokenSigningKeys"] = [2, 1]
    rotating = deploy_all({"dev+rotation": config}, tmp_path_factory.mktemp("rotation"))
    deployment = rotating["dev+rotation"]
    new = one(deployment, KEY, "-token-signing-key-2")
    old = one(deployment, KEY, "-token-signing-key-1")
    variables = one(deployment, FUNCTION, "-create-user")["inputs"]["environment"]["variables"]
    assert variables["SIGNING_KEY_ID"] == physical_name(new)
    assert variables["PREVIOUS_SIGNING_KEY_ID"] == physical_name(old)
    old_sids = {s["Sid"] for s in json.loads(old["inputs"]["policy"])["Statement"]}
    assert old_sids == {"AdministerKey", "PublishPublicKey"}  # the old key signs nothing
    new_sids = {s["Sid"] for s in json.loads(new["inputs"]["policy"])["Statement"]}
    assert "SignTokens" in new_sids
    policy = one(deployment, ROLE_POLICY, "-create-user-policy")["inputs"]["policy"]
    grants = {s["Sid"]: s["Resource"] for s in json.loads(policy)["Statement"]}
    key_arn = "arn:aws:kms:us-east-1:123456789012:key/{}".format
    assert grants["SignAccessTokens"] == [key_arn(physical_name(new))]
    assert grants["PublishPublicKey"] == [key_arn(physical_name(new)), key_arn(physical_name(old))]


@pytest.mark.parametrize("stack", STACKS)
def test_committed_stacks_keep_es256_and_leave_the_algorithm_unset(
    deployments: Deployments, stack: str
) -> None:
    deployment = deployments[stack]
    assert "tokenAlgorithm" not in stack_settings(stack)
    variables = one(deployment, FUNCTION, "-create-user")["inputs"]["environment"]["variables"]
    assert "TOKEN_ALGORITHM" not in variables  # the function's default: ES256
    description = _signing_key(deployment)["inputs"]["description"]
    assert description.endswith("(ES256), generation 1")


def test_an_rs256_stage_signs_with_an_rsa_key_and_pkcs1_only(
    deployments: Deployments, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # `deployments` first: the zip and the page's export are built by then.
    config = _committed_config(STACK_FILES[STACKS.index("dev")])
    config["signup:tokenAlgorithm"] = "RS256"
    deployment = deploy_all({"dev+rs256": config}, tmp_path_factory.mktemp("rs256"))["dev+rs256"]
    key = _signing_key(deployment)["inputs"]
    assert (key["customerMasterKeySpec"], key["keyUsage"]) == ("RSA_2048", "SIGN_VERIFY")
    only_pkcs1 = {"StringEquals": {"kms:SigningAlgorithm": "RSASSA_PKCS1_V1_5_SHA_256"}}
    signs = {s["Sid"]: s for s in json.loads(key["policy"])["Statement"]}["SignTokens"]
    assert signs["Condition"] == only_pkcs1
    policy = one(deployment, ROLE_POLICY, "-create-user-policy")["inputs"]["policy"]
    grants = {s["Sid"]: s for s in json.loads(policy)["Statement"]}
    assert grants["SignAccessTokens"]["Action"] == ["kms:Sign"]
    assert grants["SignAccessTokens"]["Condition"] == only_pkcs1
    for function in ("-create-user", "-mail-worker"):
        variables = one(deployment, FUNCTION, function)["inputs"]["environment"]["variables"]
        assert variables["TOKEN_ALGORITHM"] == "RS256"
