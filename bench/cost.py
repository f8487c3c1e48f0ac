"""Dollars per million registrations, per committed stack, next to Cognito's per-user price.

A registration is what makes one verified user: a sign-up (one bcrypt hash,
one mail) and the verification that follows it. Formula (per registration,
then times 1,000,000):

    billed_ms   = ceil(ms * max(1, FULL_VCPU_MB / memory_mb))    # each invocation, 1 ms steps
    lambda      = (2 + worker runs) * LAMBDA_REQUEST
                  + (sign-up + verify + worker billed_ms) / 1000 * GB * GB-s price
    api         = 2 * HTTP_API_REQUEST                   # two requests, far below 512 KB
    dynamodb    = write units * write price + read units * read price   # counted, bench/units.py
    ses         = MAILS * SES_MAIL                       # one link per registration
    cognito     = COGNITO_ESSENTIALS_MAU                 # each new user is one MAU that month

Each stage also has a floor, what a month of it costs with no visitor at all
(`stage_floor`): its two KMS keys (pepper, client-address secret) with the
rotations that are charged, its CloudWatch alarms and, when it hosts the
page, the Fargate tasks, the load balancer and the tasks' public IPv4
addresses. The load balancer is internal behind a CloudFront VPC origin: it
has no public address, and the VPC origin adds no fixed fee (CloudFront has
"no upfront payments or fixed platform fees") and needs no NAT gateway or
interface endpoint (the tasks keep their public addresses for their own
calls out). Traffic-priced parts (CloudFront, S3 and ECR storage, logs,
DynamoDB storage) are cents at idle and left out; so are free tiers (the
first ten alarms of an account).

`measured_ms` is the handler's median duration on this machine with one core;
Lambda gives a function one full vCPU at 1,769 MB and a proportional share
below, so a CPU-bound handler runs FULL_VCPU_MB / memory_mb times longer on a
smaller function (and no faster on a larger one: the handler is one thread).
That assumes one core here hashes as fast as one Graviton vCPU; the report
prints the measured duration next to the scaled one so the assumption is
visible. Free tiers, CloudWatch Logs, storage and data transfer are left out
on both sides: this compares the marginal price of one more sign-up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bench.units import Units
from infra.components.alarms import SERVICE_ALARMS
from infra.components.page.alarms import PAGE_ALARMS
from infra.stack.schema import StackFile, load_stage_config
from infra.stack.web import WebConfig

# List prices, us-east-1, checked on 2026-11-23 (the date of the committed run).
# AWS Lambda pricing, Arm: first 7.5 billion GB-s per month.
LAMBDA_GB_SECOND: Final = 0.0000133334
# AWS Lambda pricing: $0.20 per 1M requests (both architectures).
LAMBDA_REQUEST: Final = 0.20 / 1_000_000
# Amazon API Gateway pricing, HTTP APIs: $1.00 per million, first 300 million a month.
HTTP_API_REQUEST: Final = 1.00 / 1_000_000
# Amazon DynamoDB pricing, on-demand: $0.625 per million write request units and
# $0.125 per million read request units (standard table class, after the price
# cut effective 2024-11-01).
DYNAMODB_WRITE_UNIT: Final = 0.625 / 1_000_000
DYNAMODB_READ_UNIT: Final = 0.125 / 1_000_000
# Amazon SES pricing: $0.10 per 1,000 outbound emails (beyond any free tier).
SES_MAIL: Final = 0.10 / 1_000
# Amazon Cognito pricing, user pools, Essentials plan (the default for new pools
# since the feature plans of 2024-11-22): $0.015 per MAU above 10,000 free MAUs.
COGNITO_ESSENTIALS_MAU: Final = 0.015
COGNITO_FREE_MAUS: Final = 10_000
PRICES_CHECKED: Final = "2026-11-30"
# The hosted page, us-east-1, checked on the date below. AWS Fargate pricing,
# Linux/ARM: per vCPU-hour and per GB-hour of the task's size, by the second.
FARGATE_ARM_VCPU_HOUR: Final = 0.03238
FARGATE_ARM_GB_HOUR: Final = 0.00356
# Elastic Load Balancing pricing: an Application Load Balancer's hour (LCUs
# are usage and near zero idle).
ALB_HOUR: Final = 0.0225
# Amazon VPC pricing: every public IPv4 address, in use or not, since 2024-02-01.
PUBLIC_IPV4_HOUR: Final = 0.005
# The load balancer is internal (infra/components/page/balancer.py): no public address.
ALB_ADDRESSES: Final = 0
# AWS KMS pricing: a customer managed key, per month; automatic rotation adds
# $1 a month for each of the first two rotations (yearly), later ones are free.
KMS_KEY_MONTH: Final = 1.00
KMS_CHARGED_ROTATIONS: Final = 2
# The stage's customer managed keys: the pepper's and the client-address
# secret's (symmetric, rotated yearly), and the token-signing key (asymmetric:
# KMS rotates only symmetric encryption keys automatically, so it is rotated
# by hand, SECURITY.md).
ROTATED_KEYS: Final = 2
SIGNING_KEYS: Final = 1
STAGE_KEYS: Final = ROTATED_KEYS + SIGNING_KEYS
# Amazon CloudWatch pricing: a standard-resolution alarm, per month.
ALARM_MONTH: Final = 0.10
HOURS_PER_MONTH: Final = 730
WEB_PRICES_CHECKED: Final = "2026-11-30"

# Lambda's documented point where a function gets the equivalent of one full vCPU.
FULL_VCPU_MB: Final = 1769
# A registration's DynamoDB request units and the mail worker's work are
# counted from its calls by bench/units.py (sign-up with an Idempotency-Key,
# the worker sending the link, the verification), not written down here.
REQUESTS: Final = 2
MAILS: Final = 1
MILLION: Final = 1_000_000


@dataclass(frozen=True)
class StackConfig:
    """What the cost model needs from one committed Pulumi.<stack>.yaml."""

    name: str
    memory_mb: int
    bcrypt_cost: int
    architecture: str
    region: str
    web: WebConfig | None = None  # None: the stack does not host the page


@dataclass(frozen=True)
class StageFloor:
    """What one stage costs a month with nobody visiting, term by term."""

    keys: float
    key_rotations: float
    alarms: float
    tasks: float = 0.0
    task_addresses: float = 0.0
    load_balancer: float = 0.0
    balancer_addresses: float = 0.0

    @property
    def total(self) -> float:
        """The month's floor, once both keys have had their charged rotations."""
        return (
            self.keys
            + self.key_rotations
            + self.alarms
            + self.tasks
            + self.task_addresses
            + self.load_balancer
            + self.balancer_addresses
        )


def alarm_count(web: WebConfig | None) -> int:
    """How many alarms the stage has: the service's, and the page's when it has one."""
    return len(SERVICE_ALARMS) + (len(PAGE_ALARMS) if web is not None else 0)


def stage_floor(web: WebConfig | None) -> StageFloor:
    """Dollars a month for the stage's always-on parts (us-east-1 list prices); `web`: its page."""
    fixed = StageFloor(
        keys=STAGE_KEYS * KMS_KEY_MONTH,
        key_rotations=ROTATED_KEYS * KMS_CHARGED_ROTATIONS * KMS_KEY_MONTH,
        alarms=alarm_count(web) * ALARM_MONTH,
    )
    if web is None:
        return fixed
    task_hour = web.cpu / 1024 * FARGATE_ARM_VCPU_HOUR + web.memory_mb / 1024 * FARGATE_ARM_GB_HOUR
    return StageFloor(
        keys=fixed.keys,
        key_rotations=fixed.key_rotations,
        alarms=fixed.alarms,
        tasks=web.desired_count * task_hour * HOURS_PER_MONTH,
        task_addresses=web.desired_count * PUBLIC_IPV4_HOUR * HOURS_PER_MONTH,
        load_balancer=ALB_HOUR * HOURS_PER_MONTH,
        balancer_addresses=ALB_ADDRESSES * PUBLIC_IPV4_HOUR * HOURS_PER_MONTH,
    )


@dataclass(frozen=True)
class CostPerMillion:
    """One stack's dollars per million registrations, term by term."""

    measured_ms: float
    lambda_ms: int
    lambda_compute: float
    lambda_requests: float
    http_api: float
    dynamodb: float
    ses: float
    cognito: float

    @property
    def total(self) -> float:
        """Everything this service costs for a million registrations."""
        requests = self.lambda_requests + self.http_api
        return self.lambda_compute + requests + self.dynamodb + self.ses

    @property
    def cognito_ratio(self) -> float:
        """How many times more Cognito charges for the same new users."""
        return self.cognito / self.total


def lambda_duration_ms(measured_ms: float, memory_mb: int) -> int:
    """The billed duration on a function of `memory_mb`: CPU share scaled, rounded up to 1 ms."""
    return math.ceil(measured_ms * max(1.0, FULL_VCPU_MB / memory_mb))


def cost_per_million(
    *, measured_ms: float, memory_mb: int, units: Units, verify_ms: float = 0.0
) -> CostPerMillion:
    """Dollars for a million registrations: a sign-up that took `measured_ms` on one core here,
    its verification (`verify_ms`) and the worker's invocations that mail the link (`units`),
    each billed as its own invocation, and the DynamoDB units `units` counted."""
    billed_ms = (
        lambda_duration_ms(measured_ms, memory_mb)
        + lambda_duration_ms(verify_ms, memory_mb)
        + units.worker_invocations * lambda_duration_ms(units.worker_ms, memory_mb)
    )
    gb_seconds = billed_ms / 1000 * memory_mb / 1024
    invocations = REQUESTS + units.worker_invocations
    return CostPerMillion(
        measured_ms=measured_ms,
        lambda_ms=billed_ms,
        lambda_compute=MILLION * gb_seconds * LAMBDA_GB_SECOND,
        lambda_requests=MILLION * invocations * LAMBDA_REQUEST,
        http_api=MILLION * REQUESTS * HTTP_API_REQUEST,
        dynamodb=MILLION * (units.write * DYNAMODB_WRITE_UNIT + units.read * DYNAMODB_READ_UNIT),
        ses=MILLION * MAILS * SES_MAIL,
        # Marginal price: each registration is one MAU in its month, above the free 10,000.
        cognito=MILLION * COGNITO_ESSENTIALS_MAU,
    )


def read_stacks(root: Path) -> list[StackConfig]:
    """Every committed Pulumi.<stack>.yaml under `root`, read by infra.stack.schema, by name."""
    stacks = []
    for path in sorted(root.glob("Pulumi.*.yaml")):
        stack = StackFile(path)
        stage = load_stage_config(stack, stack.stage)
        stacks.append(
            StackConfig(
                name=stage.stage,
                memory_mb=stage.memory_mb,
                bcrypt_cost=stage.bcrypt_cost,
                architecture=stage.architecture,
                region=stack.region or "us-east-1",  # the AWS provider's own default
                web=stage.web if stage.web.enabled else None,
            )
        )
    return stacks


# ---- signing in (issue 22) ------------------------------------------------------
# AWS KMS pricing: a Sign request's price depends on the key spec ("cryptographic
# operations on KMS keys with different key specs are priced differently", AWS KMS
# Developer Guide, https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html).
# The prices are in the table at https://aws.amazon.com/kms/pricing/, which the
# stored copy of that page lacks, so this figure is NOT checked against AWS's own
# text: copies of AWS's price list (us-east-1, usage type KMS-Requests-Asymmetric,
# $0.000015 a request) give $0.15 per 10,000 "asymmetric requests except RSA 2048",
# which covers the default ES256 key (ECC_NIST_P256, every committed stage); an
# RS256 stage (RSA_2048) would pay the $0.03 per 10,000 they give for RSA 2048.
KMS_ASYMMETRIC_REQUEST: Final = 0.15 / 10_000
# A sign-in's DynamoDB units are counted from its calls (bench/sign_in.py, one
# successful sign-in in process, by bench/units.py's rules), not written down here.
# A sign-in per active user per day, for the per-MAU comparison with Cognito
# (which bills each monthly active user once, however often they sign in).
SIGN_INS_PER_MAU: Final = 30


@dataclass(frozen=True)
class SignInCost:
    """Dollars per million sign-ins on one stack, term by term."""

    stack: str
    billed_ms: int
    lambda_cost: float
    http_api: float
    dynamodb: float
    kms: float

    @property
    def total(self) -> float:
        """Everything a million sign-ins cost."""
        return self.lambda_cost + self.http_api + self.dynamodb + self.kms


@dataclass(frozen=True)
class RequestUnits:
    """The DynamoDB request units one request consumed."""

    write: float
    read: float


def sign_in_cost_per_million(
    stack: StackConfig, measured_ms: float, units: RequestUnits
) -> SignInCost:
    """A million sign-ins that each took `measured_ms` on one core here and consumed `units`."""
    billed = lambda_duration_ms(measured_ms, stack.memory_mb)
    gb_seconds = billed / 1000 * stack.memory_mb / 1024
    return SignInCost(
        stack=stack.name,
        billed_ms=billed,
        lambda_cost=MILLION * (gb_seconds * LAMBDA_GB_SECOND + LAMBDA_REQUEST),
        http_api=MILLION * HTTP_API_REQUEST,
        dynamodb=MILLION * (units.write * DYNAMODB_WRITE_UNIT + units.read * DYNAMODB_READ_UNIT),
        kms=MILLION * KMS_ASYMMETRIC_REQUEST,
    )


def render_sign_in_costs(
    measured_ms: float, units: RequestUnits, root: Path | None = None
) -> list[str]:
    """Markdown lines: each arm64 stack's price per million sign-ins beside Cognito's per MAU."""
    stacks = read_stacks(root or Path(__file__).resolve().parents[1])
    mau = MILLION / SIGN_INS_PER_MAU
    lines = [
        f"Cost per million sign-ins (the in-process p50 of {measured_ms:.1f} ms scaled to each"
        f" stack's memory; {units.write:g} write and {units.read:g} read units, counted from one"
        f" sign-in's calls; list prices checked {PRICES_CHECKED}; KMS Sign at"
        f" ${KMS_ASYMMETRIC_REQUEST * 10_000:.2f} per 10,000). Cognito bills monthly active"
        f" users instead: a million sign-ins is {mau:,.0f} MAUs at {SIGN_INS_PER_MAU} sign-ins"
        f" each a month, at ${COGNITO_ESSENTIALS_MAU} per MAU (Essentials).",
        "",
        "| stack | billed ms | Lambda | HTTP API | DynamoDB | KMS | total | Cognito"
        " | Cognito ÷ ours |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    cognito = mau * COGNITO_ESSENTIALS_MAU
    for stack in stacks:
        if stack.architecture != "arm64":
            continue
        c = sign_in_cost_per_million(stack, measured_ms, units)
        lines.append(
            f"| {c.stack} | {c.billed_ms} | ${c.lambda_cost:.2f} | ${c.http_api:.2f}"
            f" | ${c.dynamodb:.2f} | ${c.kms:.2f} | ${c.total:.2f} | ${cognito:,.0f}"
            f" | {cognito / c.total:.0f}x |"
        )
    return lines


# ---- password reset (issue 23) ----------------------------------------------------
# One reset, from the forgot-password request to the notice, counted item by
# item (backend/password_reset.py, backend/delivery.py, backend/store/):
# - POST /forgotPassword: the client-address counter and the address's two
#   identifier counters (three UpdateItem), one outbox Put: 4 units;
# - the worker deciding it: reads the request, the claim and the profile (3
#   consistent reads) and writes one TransactWriteItems of 5 items (2 units each);
# - each of the two mails (the link, the notice): one read of its item, the
#   lease, the mail cap's counter and the delete (3 writes);
# - POST /resetPassword: the client-address counter, reads of the link and the
#   profile, one TransactWriteItems of 3 items (2 units each).
RESET_READ_UNITS: Final = 3 + 2 * 1 + 2
RESET_WRITE_UNITS: Final = 4 + 5 * 2 + 2 * 3 + 1 + 3 * 2
# Two API requests; three worker invocations (the request, then each mail),
# each billed like the forgot-password request (the same few table calls).
RESET_API_REQUESTS: Final = 2
RESET_WORKER_INVOCATIONS: Final = 3
RESET_MAILS: Final = 2


@dataclass(frozen=True)
class ResetCost:
    """Dollars per million password resets on one stack, term by term."""

    stack: str
    lambda_cost: float
    http_api: float
    dynamodb: float
    ses: float

    @property
    def total(self) -> float:
        """Everything a million resets cost."""
        return self.lambda_cost + self.http_api + self.dynamodb + self.ses


def reset_cost_per_million(stack: StackConfig, forgot_ms: float, reset_ms: float) -> ResetCost:
    """A million resets whose two requests took `forgot_ms` and `reset_ms` on one core here."""
    gb = stack.memory_mb / 1024
    billed = [
        lambda_duration_ms(forgot_ms, stack.memory_mb),
        lambda_duration_ms(reset_ms, stack.memory_mb),
        *[lambda_duration_ms(forgot_ms, stack.memory_mb)] * RESET_WORKER_INVOCATIONS,
    ]
    gb_seconds = sum(billed) / 1000 * gb
    invocations = RESET_API_REQUESTS + RESET_WORKER_INVOCATIONS
    return ResetCost(
        stack=stack.name,
        lambda_cost=MILLION * (gb_seconds * LAMBDA_GB_SECOND + invocations * LAMBDA_REQUEST),
        http_api=MILLION * RESET_API_REQUESTS * HTTP_API_REQUEST,
        dynamodb=MILLION
        * (RESET_WRITE_UNITS * DYNAMODB_WRITE_UNIT + RESET_READ_UNITS * DYNAMODB_READ_UNIT),
        ses=MILLION * RESET_MAILS * SES_MAIL,
    )


def render_reset_costs(forgot_ms: float, reset_ms: float, root: Path | None = None) -> list[str]:
    """Markdown lines: each arm64 stack's price per million password resets."""
    stacks = read_stacks(root or Path(__file__).resolve().parents[1])
    lines = [
        f"Cost per million password resets (forgot-password p50 {forgot_ms:.1f} ms and reset"
        f" p50 {reset_ms:.1f} ms in process, scaled to each stack's memory; three worker"
        f" invocations; {RESET_WRITE_UNITS} write and {RESET_READ_UNITS} read units; two mails;"
        f" list prices checked {PRICES_CHECKED}).",
        "",
        "| stack | Lambda | HTTP API | DynamoDB | SES | total |",
        "|---|---|---|---|---|---|",
    ]
    for stack in stacks:
        if stack.architecture != "arm64":
            continue
        c = reset_cost_per_million(stack, forgot_ms, reset_ms)
        lines.append(
            f"| {c.stack} | ${c.lambda_cost:.2f} | ${c.http_api:.2f} | ${c.dynamodb:.2f}"
            f" | ${c.ses:.2f} | ${c.total:.2f} |"
        )
    return lines
