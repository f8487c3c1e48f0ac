"""`make preflight`: against a fresh moto account it names the gaps, and writes nothing anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
import yaml
from botocore.stub import Stubber
from moto.server import ThreadedMotoServer

from infra.preflight import Finding
from infra.preflight.account import Account, WriteRefused, account_findings, refuse_writes
from infra.preflight.stack import stack_findings
from infra.stack.schema import read_stack_file
from tests.plugins.deployments import ROOT

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"


@pytest.fixture
def moto_endpoint() -> Iterator[str]:
    """A fresh moto server on 127.0.0.1 (a port the system picks), stopped at the end."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def _account_state(endpoint: str) -> dict[str, dict[str, Any]]:
    """Every resource moto holds, by service and model (a read starts a backend, empty)."""
    data = httpx.get(f"{endpoint}/moto-api/data.json", timeout=30.0).json()
    return {
        service: {model: items for model, items in models.items() if items}
        for service, models in data.items()
        if any(models.values())
    }


def _preflight(stack_file: Path, endpoint: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    return subprocess.run(
        [sys.executable, "-m", "infra.preflight", str(stack_file)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_preflight_of_dev_on_a_fresh_account_names_the_sender_and_changes_nothing(
    moto_endpoint: str,
) -> None:
    # moto fills a backend (IAM's managed policies) at its first call: start
    # each with a read first, so what is compared is what the preflight did.
    for service, read in (("iam", "list_roles"), ("sesv2", "list_email_identities")):
        client = boto3.client(
            service,
            endpoint_url=moto_endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        getattr(client, read)()
    before = _account_state(moto_endpoint)
    result = _preflight(ROOT / "Pulumi.dev.yaml", moto_endpoint)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("GAP  mailFrom:") and "example.com" in line for line in lines)
    # The fresh account has neither the boundary nor the page's service-linked roles.
    assert any("permissions boundary" in line and "create-policy" in line for line in lines)
    assert any("AWSServiceRoleForECS" in line for line in lines)
    assert all(line.startswith(("GAP ", "note ")) for line in lines[:-1])
    assert lines[-1].startswith("Pulumi.dev.yaml: ")
    assert _account_state(moto_endpoint) == before


def _ready_stack(tmp_path: Path) -> Path:
    """Staging's stack file as a team would commit it: its own names, secrets set."""
    document = yaml.safe_load((ROOT / "Pulumi.staging.yaml").read_text())
    config = document["config"]
    config["signup:mailFrom"] = "Acme Sign-up <no-reply@signup.acme-corp.io>"
    config["signup:mailDomain"] = "signup.acme-corp.io"
    config["signup:corsOrigins"] = ["https://signup.acme-corp.io"]
    config.pop("signup:reservedConcurrency", None)
    config["signup:pepper"] = {"secure": "v1:abc"}
    config["signup:clientAddressSecret"] = {"secure": "v1:def"}
    path = tmp_path / "Pulumi.staging.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def _stubbed(**responses: Any) -> tuple[Account, list[Stubber]]:
    clients = {
        name: boto3.client(
            name, region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
        )
        for name in ("sts", "sesv2", "lambda", "iam")
    }
    stubbers = [Stubber(client) for client in clients.values()]
    for (operation, (client, response)), _ in zip(responses.items(), range(100), strict=False):
        stubber = next(s for s in stubbers if s.client is clients[client])
        if isinstance(response, str):
            stubber.add_client_error(operation, service_error_code=response)
        else:
            stubber.add_response(operation, response)
    for stubber in stubbers:
        stubber.activate()
    account = Account(
        sts=refuse_writes(clients["sts"]),
        sesv2=refuse_writes(clients["sesv2"]),
        lambda_=refuse_writes(clients["lambda"]),
        iam=refuse_writes(clients["iam"]),
    )
    return account, stubbers


def _ready_account(**overrides: Any) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "get_caller_identity": (
            "sts",
            {"Account": ACCOUNT_ID, "Arn": f"arn:aws:iam::{ACCOUNT_ID}:user/x", "UserId": "x"},
        ),
        "get_account": ("sesv2", {"ProductionAccessEnabled": True, "SendingEnabled": True}),
        "get_email_identity": ("sesv2", {"VerifiedForSendingStatus": True}),
        "get_account_settings": (
            "lambda",
            {
                "AccountLimit": {
                    "ConcurrentExecutions": 1000,
                    "UnreservedConcurrentExecutions": 1000,
                }
            },
        ),
        "get_policy": ("iam", {"Policy": {"PolicyName": "signup-boundary"}}),
        "get_role": (
            "iam",
            {
                "Role": {
                    "Path": "/aws-service-role/",
                    "RoleName": "AWSServiceRoleForECS",
                    "RoleId": "AROA0123456789EXAMPLE",
                    "Arn": f"arn:aws:iam::{ACCOUNT_ID}:role/aws-service-role/x",
                    "CreateDate": "2026-01-01T00:00:00Z",
                }
            },
        ),
    }
    return {**responses, **overrides}


def _findings(stack_file: Path, responses: dict[str, Any]) -> list[Finding]:
    stage = read_stack_file(stack_file)
    account, stubbers = _stubbed(**responses)
    # The second service-linked role is read with the same answer.
    iam = next(s for s in stubbers if s.client is account.iam)
    second = responses.get("get_role", (None, None))[1]
    if stage.web.enabled and isinstance(second, str):
        iam.add_client_error("get_role", service_error_code=second)
    elif stage.web.enabled and second is not None:
        iam.add_response("get_role", second)
    found = [*stack_findings(stack_file, stage), *account_findings(account, stage)]
    return found


def test_preflight_finds_nothing_on_a_ready_account(tmp_path: Path) -> None:
    assert _findings(_ready_stack(tmp_path), _ready_account()) == []


@pytest.mark.parametrize(
    ("override", "subject"),
    [
        ({"get_account": ("sesv2", {"ProductionAccessEnabled": False})}, "SES"),
        ({"get_email_identity": ("sesv2", {"VerifiedForSendingStatus": False})}, "mail sender"),
        ({"get_policy": ("iam", "NoSuchEntity")}, "permissions boundary"),
        ({"get_role": ("iam", "NoSuchEntity")}, "AWSServiceRoleForECS"),
        (
            {
                "get_account_settings": (
                    "lambda",
                    {
                        "AccountLimit": {
                            "ConcurrentExecutions": 10,
                            "UnreservedConcurrentExecutions": 10,
                        }
                    },
                )
            },
            "reservedConcurrency",
        ),
    ],
)
def test_preflight_names_each_gap_of_the_account(
    tmp_path: Path, override: dict[str, Any], subject: str
) -> None:
    stack_file = _ready_stack(tmp_path)
    if subject == "reservedConcurrency":
        document = yaml.safe_load(stack_file.read_text())
        document["config"]["signup:reservedConcurrency"] = 10
        stack_file.write_text(yaml.safe_dump(document))
    if subject == "SES":
        document = yaml.safe_load(stack_file.read_text())
        document["config"]["signup:deletionProtection"] = True  # real users: blocking
        stack_file.write_text(yaml.safe_dump(document))
    findings = _findings(stack_file, _ready_account(**override))
    blocking = [f.subject.split(" ")[0] for f in findings if f.blocking]
    if subject == "AWSServiceRoleForECS":  # both roles are missing from that account
        assert blocking == [subject, "AWSServiceRoleForElasticLoadBalancing"]
    else:
        assert blocking == [subject.split(" ", maxsplit=1)[0]]
    assert all(f.fix for f in findings)


def test_preflight_notes_a_sender_pulumi_up_will_create_without_blocking(tmp_path: Path) -> None:
    findings = _findings(
        _ready_stack(tmp_path), _ready_account(get_email_identity=("sesv2", "NotFoundException"))
    )
    (finding,) = findings
    assert not finding.blocking and "DKIM" in finding.fix


def test_preflight_asks_for_the_stacks_secrets_when_they_are_not_set(tmp_path: Path) -> None:
    stack_file = _ready_stack(tmp_path)
    document = yaml.safe_load(stack_file.read_text())
    del document["config"]["signup:pepper"]
    stack_file.write_text(yaml.safe_dump(document))
    (finding,) = stack_findings(stack_file, read_stack_file(stack_file))
    assert finding.subject == "signup:pepper"
    assert "pulumi config set --secret pepper --stack staging" in finding.fix


def test_preflight_clients_refuse_every_write_before_sending_it() -> None:
    iam = refuse_writes(boto3.client("iam", aws_access_key_id="x", aws_secret_access_key="x"))
    with pytest.raises(WriteRefused, match="CreateRole"):
        iam.create_role(RoleName="signup-x", AssumeRolePolicyDocument="{}")


def test_preflight_refuses_an_origin_certificate_from_another_region(tmp_path: Path) -> None:
    stack_file = _ready_stack(tmp_path)
    document = yaml.safe_load(stack_file.read_text())
    document["config"]["signup:web"] |= {
        "originDomain": "origin.signup.acme-corp.io",
        "originCertificateArn": f"arn:aws:acm:eu-west-1:{ACCOUNT_ID}:certificate/0f1e-2d3c",
    }
    stack_file.write_text(yaml.safe_dump(document))
    (finding,) = stack_findings(stack_file, read_stack_file(stack_file))
    assert finding.subject == "web.originCertificateArn"
    assert "--region us-east-1" in finding.fix
