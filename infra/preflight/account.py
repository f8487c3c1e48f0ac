"""What the AWS account must hold before a stage's first deploy, read with read-only calls."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any, Final

from botocore.exceptions import BotoCoreError, ClientError

from infra.preflight import Finding
from infra.stack.schema import StageConfig

# Lambda keeps this much of the account's concurrency unreserved; a
# reservation that would leave less fails PutFunctionConcurrency ("Managing
# Lambda reserved concurrency").
UNRESERVED_FLOOR: Final = 100
# Service Quotas' code for Lambda's "Concurrent executions".
LAMBDA_CONCURRENCY_QUOTA: Final = "L-B99A9384"
# What the page's first ECS service and load balancer need in the account.
SERVICE_LINKED_ROLES: Final = {
    "AWSServiceRoleForECS": "ecs.amazonaws.com",
    "AWSServiceRoleForElasticLoadBalancing": "elasticloadbalancing.amazonaws.com",
}
_READ_PREFIXES: Final = ("Get", "List", "Describe")


class WriteRefused(RuntimeError):
    """The preflight tried an operation that is not a read; it never sends one."""


def refuse_writes(client: Any) -> Any:
    """`client`, made to raise before sending any operation that is not a Get, List or Describe."""

    def guard(model: Any, **_: Any) -> None:
        if not model.name.startswith(_READ_PREFIXES):
            raise WriteRefused(f"{model.name} is not a read; the preflight sends none")

    client.meta.events.register("before-call", guard)
    return client


@dataclass(frozen=True)
class Account:
    """The read-only clients the checks use, each built by `refuse_writes`."""

    sts: Any
    sesv2: Any
    lambda_: Any
    iam: Any


def account_findings(account: Account, stage: StageConfig) -> Iterator[Finding]:
    """Everything the account lacks for this stage; stops early without credentials."""
    try:
        identity = account.sts.get_caller_identity()
    except (BotoCoreError, ClientError) as exc:
        yield Finding(
            "AWS credentials",
            f"no usable credentials ({_reason(exc)})",
            "export AWS_PROFILE (or the AWS_ACCESS_KEY_ID set) and AWS_REGION, then run again",
        )
        return
    checks: dict[str, Callable[[], Iterator[Finding]]] = {
        "SES": lambda: _mail(account.sesv2, stage),
        "Lambda concurrency": lambda: _concurrency(account.lambda_, stage),
        "permissions boundary": lambda: _boundary(account.iam, stage, identity["Account"]),
    }
    if stage.web.enabled:
        checks["service-linked roles"] = lambda: _service_linked_roles(account.iam)
    for subject, check in checks.items():
        try:
            yield from check()
        except (BotoCoreError, ClientError) as exc:
            yield Finding(subject, f"the check could not run ({_reason(exc)})", "run it again")


def _mail(sesv2: Any, stage: StageConfig) -> Iterator[Finding]:
    sender = parseaddr(stage.mail_from)[1]
    identity = stage.mail_domain or sender
    account = _read(sesv2.get_account)
    if account is None:
        yield _unread("SES", "whether the account is out of the SES sandbox", "the SES console")
    elif not account.get("ProductionAccessEnabled", False):
        yield Finding(
            "SES",
            "the account is in the SES sandbox: mail reaches verified addresses only",
            "request production access (SES console, Account dashboard, or"
            " aws sesv2 put-account-details ... --production-access-enabled); AWS Support answers",
            blocking=stage.deletion_protection,
        )
    try:
        found = sesv2.get_email_identity(EmailIdentity=identity)
    except ClientError as exc:
        if _code(exc) != "NotFoundException":
            raise
        yield Finding(
            f"mail sender {sender}",
            f"the SES identity {identity} does not exist yet",
            "the first pulumi up creates it; then "
            + _verify_instructions(identity)
            + " and run the preflight again",
            blocking=False,
        )
        return
    if not found.get("VerifiedForSendingStatus", False):
        yield Finding(
            f"mail sender {sender}",
            f"the SES identity {identity} is not verified for sending",
            _verify_instructions(identity),
        )


def _verify_instructions(identity: str) -> str:
    if "@" in identity:
        return f"open the link SES mailed to {identity}"
    return "publish the DKIM records of `pulumi stack output mailDnsRecords` in your DNS"


def _concurrency(lambda_: Any, stage: StageConfig) -> Iterator[Finding]:
    settings = _read(lambda_.get_account_settings)
    if settings is None:
        yield _unread("Lambda concurrency", "the account's quota", "the Service Quotas console")
        return
    limits = settings.get("AccountLimit", {})
    unreserved = int(limits.get("UnreservedConcurrentExecutions", 0))
    total = int(limits.get("ConcurrentExecutions", 0))
    reserved = stage.reserved_concurrency
    if reserved is not None and unreserved - reserved < UNRESERVED_FLOOR:
        yield Finding(
            "reservedConcurrency",
            f"reserving {reserved} of {unreserved} unreserved executions (quota {total}) would"
            f" leave fewer than the {UNRESERVED_FLOOR} Lambda keeps",
            "remove signup:reservedConcurrency from the stack file, or ask for more:"
            " aws service-quotas request-service-quota-increase --service-code lambda"
            f" --quota-code {LAMBDA_CONCURRENCY_QUOTA} --desired-value 1000",
        )


def _boundary(iam: Any, stage: StageConfig, account_id: str) -> Iterator[Finding]:
    name = stage.permissions_boundary
    arn = name if name.startswith("arn:") else f"arn:aws:iam::{account_id}:policy/{name}"
    try:
        iam.get_policy(PolicyArn=arn)
    except ClientError as exc:
        if _code(exc) != "NoSuchEntity":
            raise
        yield Finding(
            "permissions boundary",
            f"{arn} does not exist: every role the stage creates must carry it",
            "create it once per account as docs/deploy-role.md shows"
            " (aws iam create-policy --policy-name signup-boundary --policy-document ...)",
        )


def _service_linked_roles(iam: Any) -> Iterator[Finding]:
    for role, service in SERVICE_LINKED_ROLES.items():
        try:
            iam.get_role(RoleName=role)
        except ClientError as exc:
            if _code(exc) != "NoSuchEntity":
                raise
            yield Finding(
                role,
                "missing: the page's first service or load balancer can fail on it",
                f"aws iam create-service-linked-role --aws-service-name {service}",
            )


def _read(call: Callable[[], dict[str, Any]]) -> dict[str, Any] | None:
    """`call()`, or None when this endpoint does not offer the read (a stand-in such as moto)."""
    try:
        return call()
    except ClientError as exc:
        if _code(exc) in {"404", "NotImplemented", "InvalidAction", "UnknownOperationException"}:
            return None
        raise


def _unread(subject: str, what: str, where: str) -> Finding:
    return Finding(subject, f"this endpoint does not tell {what}", f"check it in {where}", False)


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _reason(exc: BotoCoreError | ClientError) -> str:
    return _code(exc) if isinstance(exc, ClientError) else type(exc).__name__
