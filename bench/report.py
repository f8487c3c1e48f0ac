"""The results as Markdown: the machine, then one table per question the issue asks."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Final

from bench import cost as prices
from bench.baseline import core_count
from bench.coldstart import ArtifactSummary, ImportTiming
from bench.cost import CostPerMillion, StackConfig
from bench.enumeration import AUC_COST, AUC_GOAL, Separability
from bench.flows import TIMING_GOAL, FlowResult
from bench.latency import LatencyResult
from bench.stats import median, percentile
from bench.throughput import ThroughputResult
from bench.units import Units

NOT_AVAILABLE: Final = "not available"


@dataclass
class Report:
    """Everything one run measured; sections that could not run carry the reason instead."""

    command: str
    cost: int
    requests: int
    runs: int
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    seconds: float = 0.0
    machine: list[tuple[str, str]] = field(default_factory=list)
    latency: list[LatencyResult] = field(default_factory=list)
    latency_note: str = ""
    flows: list[FlowResult] = field(default_factory=list)
    # Accepted sign-ups with the rate limits counted, and with them off (seconds).
    limits_on: list[float] = field(default_factory=list)
    limits_off: list[float] = field(default_factory=list)
    imports: tuple[ImportTiming, ImportTiming] | None = None
    heaviest: list[tuple[str, float]] = field(default_factory=list)
    artifact: ArtifactSummary = field(default_factory=ArtifactSummary)
    threads: int = 1
    limit: list[float] = field(default_factory=list)
    throughput: list[ThroughputResult] = field(default_factory=list)
    throughput_note: str = ""
    costs: list[tuple[StackConfig, CostPerMillion | None]] = field(default_factory=list)
    units: Units | None = None  # one registration's, counted (bench/units.py)
    enumeration: list[Separability] = field(default_factory=list)
    # Seconds from a sign-up's answer to its mail's .eml (local stage).
    mail_delays: list[float] = field(default_factory=list)
    # Sequential DynamoDB round trips of a sign-up, and one sign-up's calls in order.
    round_trips: int | None = None
    round_trip_calls: list[str] = field(default_factory=list)
    store_wait_local: float | None = None  # seconds a sign-up waits on DynamoDB Local, p50
    mail_note: str = ""


def describe_machine() -> list[tuple[str, str]]:
    """CPU model, cores, memory, Python and OS: what a reader needs to compare two results files."""
    cpu = platform.processor() or platform.machine()
    memory = "unknown"
    cpuinfo, meminfo = Path("/proc/cpuinfo"), Path("/proc/meminfo")
    if cpuinfo.exists():
        models = [ln for ln in cpuinfo.read_text().splitlines() if ln.startswith("model name")]
        cpu = models[0].split(":", 1)[1].strip() if models else cpu
    if meminfo.exists():
        total = next(ln for ln in meminfo.read_text().splitlines() if ln.startswith("MemTotal"))
        memory = f"{int(total.split()[1]) / 1024**2:.1f} GiB"
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        ("CPU", f"{cpu} ({platform.machine()})"),
        ("cores", f"{core_count()} usable of {os.cpu_count()}"),
        ("memory", memory),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("bcrypt", version("bcrypt")),
        ("OS", platform.platform()),
        ("load average at start (1/5/15 min)", load),
    ]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def _size(size: int) -> str:
    return f"{size / 1024**2:.2f} MiB" if size >= 1024**2 else f"{size / 1024:.1f} KiB"


def _usd(amount: float) -> str:
    return f"${amount:,.2f}"


def _latency_section(report: Report) -> list[str]:
    lines = [
        f"## Request overhead (bcrypt cost {report.cost})",
        "",
        f"{report.requests} sign-ups per path, each right after a bare"
        f" `bcrypt.hashpw(64 bytes, gensalt({report.cost}))` in the same process."
        " Ratio = request percentile / median bare hash (1.00 = bcrypt and nothing else);"
        " overhead = the same difference in ms. The bare hash's own p95 shows the machine's noise.",
        "",
    ]
    rows = []
    for result in report.latency:
        rows.append(
            [
                result.path,
                _ms(percentile(result.requests, 50)),
                _ms(percentile(result.requests, 95)),
                _ms(result.bare_median),
                _ms(percentile(result.bare, 95)),
                f"{result.ratio(50):.2f}",
                f"{result.ratio(95):.2f}",
                f"{result.overhead_ms(50):.1f}",
                f"{result.overhead_ms(95):.1f}",
            ]
        )
    if report.latency_note:
        rows.append(["local stage, HTTP", *[NOT_AVAILABLE] * 7, report.latency_note])
    header = ["path", "p50 ms", "p95 ms", "bare hash p50 ms", "bare hash p95 ms"]
    header += ["ratio p50", "ratio p95", "overhead p50 ms", "overhead p95 ms"]
    return lines + _table(header, rows) + _store_share(report)


def _store_share(report: Report) -> list[str]:
    """How much of the overhead is the DynamoDB stand-in's, where the run could see it."""
    parts = [
        f"in process, p50 {percentile(result.store, 50) * 1000:.1f} ms waiting on moto's"
        " DynamoDB (the calls' spans merged)"
        for result in report.latency
        if result.store
    ]
    if report.store_wait_local is not None:
        parts.append(
            f"through the local stage, p50 {report.store_wait_local * 1000:.1f} ms waiting on"
            " DynamoDB Local (the same handler in process, timed call by call; see the round"
            " trips below)"
        )
    if not parts:
        return []
    return ["", "Of each sign-up's overhead: " + "; ".join(parts) + "."]


def _flows_section(report: Report) -> list[str]:
    lines = [
        f"## Verification flow (bcrypt cost {report.cost})",
        "",
        f"`POST /verifyEmail` for {report.requests} fresh sign-ups; then {report.requests} pairs of"
        " sign-ups, one for a new address and one for an address that already has a verified"
        " account (same answer, a notice instead of a link, nothing written), timed side by side"
        " with the order alternating. The taken/new ratio must stay within"
        f" {TIMING_GOAL:.0%} of 1, or the timing would tell who is registered.",
        "",
    ]
    rows = [
        [
            flow.path,
            _ms(percentile(flow.verify, 50)),
            _ms(percentile(flow.verify, 95)),
            _ms(percentile(flow.new, 50)),
            _ms(percentile(flow.taken, 50)),
            f"{flow.taken_ratio:.3f}",
            "yes" if flow.within_goal else "no",
        ]
        for flow in report.flows
    ]
    if report.latency_note:
        rows.append(["local stage, HTTP", *[NOT_AVAILABLE] * 5, report.latency_note])
    header = ["path", "verify p50 ms", "verify p95 ms", "new address p50 ms"]
    header += ["taken address p50 ms", "taken / new p50", f"within {TIMING_GOAL:.0%}"]
    return lines + _table(header, rows)


def _limits_section(report: Report) -> list[str]:
    lines = [
        f"## What the rate limits cost (bcrypt cost {report.cost}, in process on moto)",
        "",
        f"{len(report.limits_on)} accepted sign-ups with every limit counted (the address's"
        " counter, then the email's and the username's while the claims are read), and as many"
        " with limits off, alternating. Goal: p50 ratio at most 1.03.",
        "",
    ]
    if not report.limits_on:
        return [*lines, NOT_AVAILABLE]
    on, off = percentile(report.limits_on, 50), percentile(report.limits_off, 50)
    row = [_ms(on), _ms(off), f"{on / off:.3f}", f"{(on - off) * 1000:.1f}"]
    return lines + _table(["limits on p50 ms", "limits off p50 ms", "ratio", "added ms"], [row])


def _coldstart_section(report: Report) -> list[str]:
    lines = [
        "## Cold start",
        "",
        f"Import time in a fresh interpreter with no bytecode cache (`PYTHONDONTWRITEBYTECODE=1`,"
        f" an empty `PYTHONPYCACHEPREFIX`), median of {report.runs} interleaved runs.",
        "",
    ]
    if report.imports is not None:
        handler, baseline = report.imports
        rows = [
            [
                f"`{handler.statement}`",
                _ms(handler.median),
                f"{handler.median / baseline.median:.2f}",
            ],
            [f"`{baseline.statement}` (baseline)", _ms(baseline.median), "1.00"],
        ]
        lines += _table(["import", "median ms", "ratio"], rows)
    if report.heaviest:
        parts = ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in report.heaviest)
        lines += [
            "",
            f"Where the handler's import goes (self time per package,"
            f" median of {min(report.runs, 3)} runs): {parts}.",
        ]
    lines += ["", *_artifact_table(report.artifact)]
    return lines


def _artifact_table(artifact: ArtifactSummary) -> list[str]:
    if artifact.unavailable:
        return _table(
            ["Lambda artifact (arm64)", "compressed"], [[NOT_AVAILABLE, artifact.unavailable]]
        )
    rows = [["whole zip, `signup-arm64.zip`", _size(artifact.size)]]
    rows += [[f"package `{name}`", _size(size)] for name, size in artifact.packages]
    rows += [[f"member `{name}`", _size(size)] for name, size in artifact.members]
    return _table(["Lambda artifact (arm64, built by infra.build.lambda_zip)", "compressed"], rows)


def _throughput_section(report: Report) -> list[str]:
    lines = [f"## Throughput (local stage, bcrypt cost {report.cost})", ""]
    if report.throughput_note:
        return [*lines, f"{NOT_AVAILABLE}: {report.throughput_note}"]
    limit = median(report.limit)
    lines += [
        f"bcrypt limit: {limit:.2f} hashes/s with {report.threads} threads (one per core),"
        f" median of {len(report.limit)} samples, one right before each client run."
        f" Sign-ups/s is the median of {report.runs} rounds; the ratio is the median of"
        " per-round ratios, each over the limit measured next to it.",
        "",
    ]
    rows = [
        [str(t.clients), f"{t.median:.2f}", f"{t.ratio:.2f}", str(t.failures)]
        for t in report.throughput
    ]
    return lines + _table(["clients", "sign-ups/s", "ratio to bcrypt limit", "failed"], rows)


def _units_text(units: Units | None) -> str:
    """The counted DynamoDB units and worker runs of one registration, in words."""
    if units is None:
        return "DynamoDB units not counted in this run"
    calls = ", ".join(f"{count} {operation}" for operation, count in sorted(units.calls.items()))
    return (
        f"{units.write:g} write and {units.read:g} read units, counted from one registration's"
        f" calls ({calls}; bench/units.py; largest item {units.largest_item} bytes);"
        f" {units.worker_invocations} mail-worker invocation of {units.worker_ms:.1f} ms (p50,"
        " in process) billed beside the two requests"
    )


def _cost_section(report: Report) -> list[str]:
    lines = [
        "## Cost per million registrations (sign-up and verification)"
        f" (us-east-1 list prices, checked {prices.PRICES_CHECKED})",
        "",
        "A registration is a sign-up and its verification: two invocations and two HTTP API"
        " requests. Handler duration = in-process p50 of each at the stack's bcrypt cost on one"
        f" core here, scaled by max(1, {prices.FULL_VCPU_MB} MB / memory) for Lambda's CPU share"
        f" and rounded up to 1 ms; {_units_text(report.units)}; {prices.MAILS} mail through SES at"
        f" ${prices.SES_MAIL * 1000:.2f} per 1,000; Cognito Essentials at"
        f" ${prices.COGNITO_ESSENTIALS_MAU} per new user (one MAU in its month, beyond the"
        f" {prices.COGNITO_FREE_MAUS:,} free)."
        " Free tiers, logs and storage are left out on both sides.",
        "",
    ]
    rows = []
    for stack, cost in report.costs:
        head = [stack.name, str(stack.memory_mb), str(stack.bcrypt_cost)]
        if cost is None:
            rows.append([*head, *[NOT_AVAILABLE] * 10])
            continue
        rows.append(
            [
                *head,
                f"{cost.measured_ms:.1f}",
                str(cost.lambda_ms),
                _usd(cost.lambda_compute),
                _usd(cost.lambda_requests),
                _usd(cost.http_api),
                _usd(cost.dynamodb),
                _usd(cost.ses),
                _usd(cost.total),
                _usd(cost.cognito),
                f"{cost.cognito_ratio:,.0f}x",
            ]
        )
    header = ["stack", "memory MB", "bcrypt cost", "handler ms here", "billed ms"]
    header += ["Lambda compute", "Lambda requests", "HTTP API", "DynamoDB", "SES", "total"]
    return lines + _table([*header, "Cognito Essentials", "Cognito / ours"], rows)


def _stage_floor_section(report: Report) -> list[str]:
    lines = [
        f"## Each stage's monthly floor (us-east-1 list prices, checked"
        f" {prices.WEB_PRICES_CHECKED})",
        "",
        "What a stage costs a month with no visitor, beside what a sign-up costs: its"
        f" {prices.STAGE_KEYS} KMS keys at ${prices.KMS_KEY_MONTH:.2f} each, plus"
        f" ${prices.KMS_KEY_MONTH:.2f} for each of the first {prices.KMS_CHARGED_ROTATIONS}"
        f" yearly rotations (from the third year on the keys cost no more); its alarms at"
        f" ${prices.ALARM_MONTH:.2f} each; and, with the page, Fargate Linux/ARM at"
        f" ${prices.FARGATE_ARM_VCPU_HOUR} per vCPU-hour and ${prices.FARGATE_ARM_GB_HOUR} per"
        f" GB-hour, one public IPv4 address per task at ${prices.PUBLIC_IPV4_HOUR} an hour, and"
        f" an internal Application Load Balancer at ${prices.ALB_HOUR} an hour with no public"
        " address (CloudFront reaches it through a VPC origin, which has no fixed fee and needs"
        f" no NAT gateway); {prices.HOURS_PER_MONTH} hours a month. CloudFront, S3, ECR storage,"
        " logs and DynamoDB storage are priced by use and left out (cents at idle), as are"
        " free tiers.",
        "",
    ]
    per_million = {stack.name: cost for stack, cost in report.costs}
    rows = []
    for stack, _ in report.costs:
        floor = prices.stage_floor(stack.web)
        cost = per_million.get(stack.name)
        web = stack.web
        size = (
            "no page"
            if web is None
            else (f"{web.desired_count} x {web.cpu / 1024:g} vCPU / {web.memory_mb} MiB")
        )
        rows.append(
            [
                stack.name,
                size,
                _usd(floor.tasks),
                _usd(floor.task_addresses),
                _usd(floor.load_balancer),
                _usd(floor.keys),
                _usd(floor.key_rotations),
                f"{prices.alarm_count(web)} = {_usd(floor.alarms)}",
                _usd(floor.total),
                NOT_AVAILABLE if cost is None else _usd(cost.total / 1_000_000 * 1000),
            ]
        )
    header = ["stack", "tasks", "Fargate", "task IPv4", "ALB (internal)", "KMS keys"]
    header += ["key rotations", "alarms"]
    return lines + _table([*header, "floor / month", "per 1,000 sign-ups"], rows)


def _enumeration_section(report: Report) -> list[str]:
    low, high = AUC_GOAL
    lines = [
        f"## Enumeration: can the answer time tell an address's state? (bcrypt cost {AUC_COST})",
        "",
        "ROC AUC of answer times between every pair of classes (the chance that a request of"
        " the first class takes longer than one of the second; 0.50 = indistinguishable)."
        " Each request is for its own target address, prepared in its state beforehand; the"
        " classes are interleaved in a fresh random order every round."
        f" Goal: every AUC within [{low:.2f}, {high:.2f}].",
        "",
    ]
    rows = []
    for result in report.enumeration:
        counts = {len(samples) for samples in result.samples.values()}
        for first, second, auc in result.pairs():
            ok = low <= auc <= high
            rows.append(
                [
                    result.path,
                    f"`{result.route}`",
                    f"{first} vs {second}",
                    str(min(counts)),
                    _ms(percentile(result.samples[first], 50)),
                    _ms(percentile(result.samples[second], 50)),
                    f"{auc:.2f}",
                    "yes" if ok else "no",
                ]
            )
    if report.mail_note:
        rows.append(["local stage, HTTP", *[NOT_AVAILABLE] * 6, report.mail_note])
    header = ["path", "route", "classes", "samples each", "first p50 ms", "second p50 ms"]
    return lines + _table([*header, "AUC", "within goal"], rows)


def _mail_path_section(report: Report) -> list[str]:
    lines = [
        "## Mail off the request path",
        "",
        "The mail worker's delay: from a sign-up's answer to its `.eml` in the local outbox"
        " (the stream poller and the worker, on the local stage), and the DynamoDB round trips"
        " a sign-up waits for one after another (calls that overlap count once; the real"
        " handler in process, its store on DynamoDB Local).",
        "",
    ]
    if report.mail_note:
        return [*lines, f"{NOT_AVAILABLE}: {report.mail_note}"]
    rows = []
    if report.mail_delays:
        rows.append(
            [
                f"answer to .eml, {len(report.mail_delays)} sign-ups",
                f"p50 {_ms(percentile(report.mail_delays, 50))} ms,"
                f" p95 {_ms(percentile(report.mail_delays, 95))} ms",
            ]
        )
    if report.round_trips is not None:
        calls = ", ".join(report.round_trip_calls)
        rows.append(
            ["sequential DynamoDB round trips of a sign-up", f"{report.round_trips} ({calls})"]
        )
    return lines + _table(["measure", "value"], rows)


def render(report: Report) -> str:
    """The whole results file."""
    minutes, seconds = divmod(round(report.seconds), 60)
    lines = [
        "# Benchmark results",
        "",
        f"`{report.command}` on {report.started:%Y-%m-%d %H:%M} UTC,"
        f" {minutes} min {seconds:02d} s. Timings here are noisy; compare the ratios,"
        " which divide by a baseline measured in the same run.",
        "",
        "## Machine",
        "",
        *_table(["", ""], [[name, value] for name, value in report.machine]),
        "",
        *_latency_section(report),
        "",
        *_flows_section(report),
        "",
        *_enumeration_section(report),
        "",
        *_mail_path_section(report),
        "",
        *_limits_section(report),
        "",
        *_coldstart_section(report),
        "",
        *_throughput_section(report),
        "",
        *_cost_section(report),
        "",
        *_stage_floor_section(report),
    ]
    return "\n".join(lines) + "\n"
