"""The committed stack files against infra/stack/schema.py's schema, and the loader's refusals."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from infra.stack.reading import StageConfigError
from infra.stack.schema import (
    OPTIONAL_KEYS,
    REQUIRED_KEYS,
    SECRET_KEYS,
    PulumiValues,
    StackFile,
    StageConfig,
    load_stage_config,
    read_stack_file,
)
from infra.stack.web import WEB_KEYS
from tests.plugins.deployments import PROJECT, ROOT, STACKS, stack_settings

# For each key, a value of the wrong YAML type (or out of range) the loader must refuse.
WRONG: dict[str, list[Any]] = {
    "architecture": [64, "x86"],
    "memoryMb": ["lots", 1.5, True, 64],
    "logLevel": [["INFO"], "VERBOSE"],
    "bcryptCost": [[12], 4, 20],
    "passwordMinLength": ["fifteen", 7, 129],
    "corsOrigins": ["https://example.com", [1], [], ["https://example.com/path"]],
    "throttleRateLimit": [1.5, 0, "fast"],
    "throttleBurstLimit": [[10], 0],
    "reservedConcurrency": ["none", 0, 1001],
    "logRetentionDays": [8, "week"],
    "pointInTimeRecovery": ["yes", 1],
    "deletionProtection": ["no", [True]],
    "retainOnDelete": [0, "sure"],
    "alarmApi5xxThreshold": [-1, "one"],
    "alarmLambdaErrorsThreshold": [0.5],
    "alarmLambdaThrottlesThreshold": [{"n": 1}],
    "alarmActions": ["arn:aws:sns:us-east-1:123456789012:t", ["not-an-arn"]],
    "alarmMailFailuresThreshold": [-1, "none"],
    "verificationTtlSeconds": [59, 7 * 24 * 3600 + 1, "a day"],
    "resetTtlSeconds": [59, 24 * 3600 + 1, "an hour"],
    "mailFrom": ["not an address", "Name <No-Reply@Example.com>", ["a@example.com"], 7],
    "mailDomain": ["Example.com", "no_dots", "signup.example.org", 3],
    "rateLimitPerAddress": ["30", "0/60", "30/0", 30, "30/86401"],
    "rateLimitPerIdentifier": ["five an hour", "5/3600/1", ["5/3600"]],
    "passwordMinScore": [-1, 5, "strong", 2.5],
    "rateLimitPerIdentifierGlobal": ["fifty", "50/0", 50, "50/86401"],
    "rateLimitMailsPerAddress": ["200", "0/86400", ["200/86400"], "200/86401"],
    "web": ["yes", True, ["enabled"]],
    "tokenAudience": ["Signup Dev", "", "-dash"],
    "accessTokenSeconds": [901, 59, "fifteen minutes"],
    "refreshTokenSeconds": [366 * 24 * 3600, 60, "30 days"],
    "rateLimitSignInFailures": ["5", "0/900", 5],
    "rateLimitSignInFailuresGlobal": ["100/86401", ["100/3600"]],
    "tokenSigningKeys": [[], [2, 1, 0], [1, 1], ["1"], 1, [0]],
    "tokenAlgorithm": ["HS256", "none", "es256", "PS256", 256, ["RS256"]],
    "permissionsBoundary": ["no spaces allowed", "arn:aws:iam::123:policy/x", ["signup-boundary"]],
}
_CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab"
# For each sub-key of `web`, values to put into dev's object that must be
# refused, naming `web.<key>` (None: the key is removed). Pairs are tried with
# their partner set, so the sub-key's own check is the one that fires.
WEB_WRONG: dict[str, list[Any]] = {
    "enabled": [None, "true", 1],
    "desiredCount": [None, 0, 11, "2", 1.5, True],
    "cpu": [None, 300, 128, 8192, "256"],
    "memoryMb": [None, 256, 4096, 1536, "512"],
    "domain": ["Signup.Example.com", "https://signup.example.com", "localhost", 5],
    "certificateArn": [
        None,
        _CERT.replace("us-east-1", "eu-west-1"),  # CloudFront takes us-east-1 only
        "arn:aws:iam::123456789012:server-certificate/x",
    ],
    "originDomain": ["origin.example.com/", "*.example.com"],
    "originCertificateArn": [None, "not-an-arn", _CERT.replace("certificate", "key")],
    "productName": ["", " Padded", "x" * 81, "Two\nlines", 7],
    "nextStepUrl": ["javascript:alert(1)", "//evil.example", "data:text/html,x", ""],
    "nextStepLabel": ["", "x" * 81, ["Continue"]],
}
_PARTNERS = {
    "domain": ("certificateArn", _CERT),
    "certificateArn": ("domain", "signup.example.com"),
    "originDomain": ("originCertificateArn", _CERT),
    "originCertificateArn": ("originDomain", "origin.signup.example.com"),
}


def _load(settings: dict[str, Any], stage: str = "dev") -> StageConfig:
    # How the Pulumi CLI hands config to a program: strings, structured values as JSON.
    raw = {
        f"{PROJECT}:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in settings.items()
    }
    pulumi.runtime.set_all_config(raw, [])
    return load_stage_config(PulumiValues(pulumi.Config(PROJECT)), stage)


@pytest.fixture(autouse=True)
def _clean_config() -> Iterator[None]:
    yield
    pulumi.runtime.set_all_config({}, [])


@pytest.mark.parametrize("stack", STACKS)
def test_committed_stack_sets_every_required_key_and_no_unknown_one(stack: str) -> None:
    settings = stack_settings(stack)
    # Secrets may be committed only as `pulumi config set --secret` writes them.
    for key in SECRET_KEYS:
        secret = settings.pop(key, {"secure": "absent"})
        assert isinstance(secret, dict) and set(secret) == {"secure"}, f"{key} must be --secret"
    keys = set(settings)
    assert keys >= set(REQUIRED_KEYS), f"missing: {set(REQUIRED_KEYS) - keys}"
    known = set(REQUIRED_KEYS) | set(OPTIONAL_KEYS)
    assert keys <= known, f"unknown: {keys - known}"


@pytest.mark.parametrize("stack", STACKS)
def test_committed_stack_loads(stack: str) -> None:
    _load(stack_settings(stack), stack)


def test_wrong_values_cover_every_key() -> None:
    assert set(WRONG) == set(REQUIRED_KEYS) | set(OPTIONAL_KEYS)


@pytest.mark.parametrize("key", REQUIRED_KEYS)
def test_missing_key_is_refused_by_name(key: str) -> None:
    settings = stack_settings("dev")
    del settings[key]
    with pytest.raises(StageConfigError, match=key):
        _load(settings)


@pytest.mark.parametrize(("key", "value"), [(k, v) for k, vs in WRONG.items() for v in vs])
def test_wrong_type_or_range_is_refused_by_name(key: str, value: Any) -> None:
    settings = {**stack_settings("dev"), key: value}
    with pytest.raises(StageConfigError, match=key):
        _load(settings)


def test_wrong_web_values_cover_every_sub_key() -> None:
    assert set(WEB_WRONG) == WEB_KEYS


@pytest.mark.parametrize(("key", "value"), [(k, v) for k, vs in WEB_WRONG.items() for v in vs])
def test_wrong_web_value_is_refused_by_its_sub_key(key: str, value: Any) -> None:
    settings = stack_settings("dev")
    web = dict(settings["web"])
    if key in _PARTNERS:
        partner, partner_value = _PARTNERS[key]
        web[partner] = partner_value
    if value is None:
        web.pop(key, None)
    else:
        web[key] = value
    with pytest.raises(StageConfigError, match=rf"^web\.{key}: "):
        _load({**settings, "web": web})


def test_unknown_web_sub_key_is_refused_by_name() -> None:
    settings = stack_settings("dev")
    with pytest.raises(StageConfigError, match=r"^web\.colour: is not a key of web"):
        _load({**settings, "web": {**settings["web"], "colour": "indigo"}})


def test_web_custom_domains_load_with_their_certificates() -> None:
    settings = stack_settings("dev")
    web = {**settings["web"], **dict(_PARTNERS.values())}
    pulumi.runtime.set_all_config({}, [])
    _load({**settings, "web": web})


def test_web_wording_loads_as_the_pages_settings() -> None:
    settings = stack_settings("dev")
    wording = {"productName": "Acme", "nextStepUrl": "https://app.example.com/login"}
    loaded = _load({**settings, "web": {**settings["web"], **wording, "nextStepLabel": "Sign in"}})
    assert loaded.web.page_settings() == {
        "PRODUCT_NAME": "Acme",
        "NEXT_STEP_URL": "https://app.example.com/login",
        "NEXT_STEP_LABEL": "Sign in",
    }
    # Unset keys keep the web app's defaults: nothing is compiled in for them.
    assert _load(settings).web.page_settings() == {}


def test_wildcard_origin_is_refused_where_data_is_protected() -> None:
    settings = {**stack_settings("prod"), "corsOrigins": ["*"]}
    with pytest.raises(StageConfigError, match="corsOrigins"):
        _load(settings, "prod")
    _load({**stack_settings("dev"), "corsOrigins": ["*"]})


def test_without_a_hosted_page_the_first_origin_must_be_where_links_can_point() -> None:
    settings = stack_settings("dev")
    web = {**settings["web"], "enabled": False}
    with pytest.raises(StageConfigError, match=r"^corsOrigins: without web\.enabled"):
        _load({**settings, "web": web, "corsOrigins": ["*"]})
    _load({**settings, "web": web, "corsOrigins": ["http://localhost:3000", "*"]})


def test_stack_name_must_be_a_plain_slug() -> None:
    with pytest.raises(StageConfigError, match="stack"):
        _load(stack_settings("dev"), "Dev Stage")


def test_plaintext_pepper_is_refused(failed_deployment: Callable[[dict[str, Any]], str]) -> None:
    error = failed_deployment(
        {f"{PROJECT}:pepper": "a-long-enough-pepper-but-stored-in-plain-text"}
    )
    assert "pepper: set it with --secret" in error


def test_short_pepper_is_refused(failed_deployment: Callable[[dict[str, Any]], str]) -> None:
    error = failed_deployment({f"{PROJECT}:pepper": {"secure": "short"}})
    assert "pepper: must be at least 32 characters" in error
    assert "short" not in error.replace("shorter", "")  # the value itself is never echoed


def test_plaintext_client_address_secret_is_refused(
    failed_deployment: Callable[[dict[str, Any]], str],
) -> None:
    error = failed_deployment(
        {f"{PROJECT}:clientAddressSecret": "a-long-enough-secret-but-stored-in-plain-text"}
    )
    assert "clientAddressSecret: set it with --secret" in error


def test_short_client_address_secret_is_refused(
    failed_deployment: Callable[[dict[str, Any]], str],
) -> None:
    error = failed_deployment({f"{PROJECT}:clientAddressSecret": {"secure": "tiny-secret"}})
    assert "clientAddressSecret: must be at least 32 characters" in error
    assert "tiny-secret" not in error  # the value itself is never echoed


@pytest.mark.parametrize("stack", STACKS)
def test_stack_file_reads_each_committed_stack_as_pulumi_does(stack: str) -> None:
    _load(stack_settings(stack), stack)  # what `pulumi up` gets
    from_file = read_stack_file(ROOT / f"Pulumi.{stack}.yaml")  # local stage, bench, CI
    pulumi.runtime.set_all_config(
        {
            f"{PROJECT}:{k}": v if isinstance(v, str) else json.dumps(v)
            for k, v in stack_settings(stack).items()
            if k not in SECRET_KEYS
        },
        [],
    )
    assert from_file == load_stage_config(PulumiValues(pulumi.Config(PROJECT)), stack)


@pytest.mark.parametrize(
    ("key", "value"), [("bcryptCost", "12"), ("deletionProtection", "true"), ("memoryMb", 1024.0)]
)
def test_stack_file_refuses_a_value_of_another_yaml_type(
    tmp_path: Path, key: str, value: Any
) -> None:
    settings = {**stack_settings("dev"), key: value}
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(yaml.safe_dump({"config": {f"{PROJECT}:{k}": v for k, v in settings.items()}}))
    with pytest.raises(StageConfigError, match=key):
        read_stack_file(path)


def test_stack_file_refuses_an_unknown_key(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(yaml.safe_dump({"config": {f"{PROJECT}:reservedConcurency": 5}}))
    with pytest.raises(StageConfigError, match="reservedConcurency"):
        StackFile(path)


def test_stack_file_cli_prints_the_first_cors_origin() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "infra.stack.schema", str(ROOT / "Pulumi.prod.yaml")],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.strip()
    assert printed == read_stack_file(ROOT / "Pulumi.prod.yaml").cors_origins[0]


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_reserved_concurrency_is_optional_and_left_out_of_every_committed_stack(
    stack: str,
) -> None:
    # A new account's quota (often 10) cannot spare a reservation: Lambda keeps
    # 100 unreserved. `make preflight` says when an account can.
    assert "reservedConcurrency" not in stack_settings(stack)
    assert read_stack_file(ROOT / f"Pulumi.{stack}.yaml").reserved_concurrency is None


def test_stage_name_too_long_for_the_pages_load_balancer_is_refused_by_name() -> None:
    # signup-<stage>-web-alb plus Pulumi's 8-character suffix: at most 32.
    settings = stack_settings("dev")
    assert _load(settings, stage="stagingeu").stage == "stagingeu"  # 9: 32 exactly
    with pytest.raises(StageConfigError, match=r"^stack: 'stagingeu2' .* at most 9 characters"):
        _load(settings, stage="stagingeu2")
    # Without the page there is no load balancer to name.
    unhosted = {**settings, "web": {**settings["web"], "enabled": False}}
    assert _load(unhosted, stage="stagingeu2").stage == "stagingeu2"


def test_this_rounds_optional_keys_default_to_the_functions_defaults() -> None:
    settings = stack_settings("dev")
    for key in ("passwordMinScore", "rateLimitPerIdentifierGlobal", "rateLimitMailsPerAddress"):
        settings.pop(key, None)
    loaded = _load(settings)
    assert loaded.password_min_score == 3
    assert str(loaded.rate_limit_per_identifier_global) == "50/3600"
    assert str(loaded.rate_limit_mails_per_address) == "200/86400"


@pytest.mark.parametrize("stack", STACKS)
def test_committed_stacks_set_this_rounds_keys(stack: str) -> None:
    loaded = _load(stack_settings(stack), stack)
    assert loaded.password_min_score == 3
    assert str(loaded.rate_limit_per_identifier_global) == "50/3600"
    assert str(loaded.rate_limit_mails_per_address) == "200/86400"
