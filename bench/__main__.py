"""`python -m bench` (what `make bench` runs): measure, print the tables, write bench/results.md."""

from __future__ import annotations

import argparse
import math
import shlex
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bench import (
    coldstart,
    cost,
    enumeration,
    flows,
    latency,
    mailpath,
    roundtrips,
    throughput,
    units,
)
from bench.baseline import bcrypt_limit, core_count
from bench.localstage import local_stage, stage_at
from bench.report import Report, describe_machine, render
from bench.stats import percentile
from infra.local import dynamodb_local
from infra.local.stage import MAIL_DIR, StageOptions
from tests.support.stage_process import LocalStageUnavailable

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
CLIENT_COUNTS: Final = (1, 2, 4, 8)


@dataclass(frozen=True)
class Plan:
    """How much to measure; the full plan finishes in about three minutes at cost 12 on 2 cores."""

    cost: int
    requests: int  # timed sign-ups per latency path (p95 is the 29th of 30)
    warmup: int  # untimed first requests: connection set-up, the handler's lazy clients
    runs: int  # cold-start runs per import, throughput rounds per client count
    extra_cost_requests: int  # in-process samples at other stacks' bcrypt costs (cost model only)
    round_requests: int  # at least this many sign-ups per throughput round
    limit_seconds: float  # hashing per thread per bcrypt-limit sample
    artifact: bool
    stage: bool
    auc_samples: int  # timed requests per class for the enumeration AUCs (at cost 4)
    auc_warmup: int
    mail_requests: int  # sign-ups timed from answer to .eml
    roundtrip_requests: int  # sign-ups whose DynamoDB calls are timed


def parse_args(argv: Sequence[str] | None) -> tuple[argparse.Namespace, Plan]:
    """The command line, and the plan it implies."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny counts at cost 4 (smoke test)")
    parser.add_argument("--cost", type=int, help="bcrypt cost (default: prod stack's, else 12)")
    parser.add_argument("--runs", type=int, help="cold-start runs and throughput rounds")
    parser.add_argument("--requests", type=int, help="timed requests per latency path")
    parser.add_argument("--output", type=Path, default=REPO_ROOT / "bench" / "results.md")
    parser.add_argument("--no-local-stage", action="store_true", help="skip stage-based parts")
    parser.add_argument("--no-artifact", action="store_true", help="do not build the Lambda zip")
    parser.add_argument("--auc-samples", type=int, help="requests per class for the AUCs")
    args = parser.parse_args(argv)
    stacks = {stack.name: stack for stack in cost.read_stacks(REPO_ROOT)}
    default_cost = 4 if args.quick else (stacks["prod"].bcrypt_cost if "prod" in stacks else 12)
    plan = Plan(
        cost=args.cost or default_cost,
        requests=args.requests or (5 if args.quick else 30),
        warmup=1 if args.quick else 2,
        runs=args.runs or (2 if args.quick else 7),
        extra_cost_requests=1 if args.quick else 10,
        round_requests=4 if args.quick else 8,
        limit_seconds=0.1 if args.quick else 1.0,
        # Building the zip downloads wheels from PyPI: not in a smoke test.
        artifact=not (args.quick or args.no_artifact),
        stage=not args.no_local_stage,
        auc_samples=args.auc_samples or (5 if args.quick else 100),
        auc_warmup=1 if args.quick else 3,
        mail_requests=3 if args.quick else 30,
        roundtrip_requests=2 if args.quick else 10,
    )
    return args, plan


def say(message: str) -> None:
    """Progress on stderr, so stdout carries only the tables."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


def measure_in_process(report: Report, plan: Plan, stacks: list[cost.StackConfig]) -> None:
    """Handler latency on moto at the run's cost, then at every other stack's cost for pricing."""
    say(f"in-process handler on moto, cost {plan.cost}, {plan.requests} requests")
    main = latency.measure_in_process(cost=plan.cost, requests=plan.requests, warmup=plan.warmup)
    report.latency.append(main)
    say(f"verification flow on moto, cost {plan.cost}, {plan.requests} of each request")
    flow = flows.measure_in_process(cost=plan.cost, requests=plan.requests, warmup=plan.warmup)
    report.flows.append(flow)
    verify_ms = percentile(flow.verify, 50) * 1000
    say(f"rate limits on and off, cost {plan.cost}, {plan.requests} sign-ups each")
    report.limits_on, report.limits_off = latency.measure_limits(
        cost=plan.cost, requests=plan.requests, warmup=plan.warmup
    )
    say(f"enumeration AUCs in process, cost {enumeration.AUC_COST}, {plan.auc_samples} per class")
    report.enumeration += enumeration.measure_in_process(
        samples=plan.auc_samples, warmup=plan.auc_warmup
    )
    p50_ms = {plan.cost: percentile(main.requests, 50) * 1000}
    for stack_cost in sorted({s.bcrypt_cost for s in stacks} - {plan.cost}):
        say(f"in-process handler on moto, cost {stack_cost} (for the cost model)")
        extra = latency.measure_in_process(
            cost=stack_cost, requests=plan.extra_cost_requests, warmup=plan.warmup
        )
        p50_ms[stack_cost] = percentile(extra.requests, 50) * 1000
    say("DynamoDB units and mail-worker runs of one registration, counted on moto")
    report.units = units.measure(cost=4)
    for stack in stacks:
        # Only arm64 prices are modelled; an x86_64 stack gets a "not available" row.
        priced = stack.architecture == "arm64"
        per_million = (
            cost.cost_per_million(
                measured_ms=p50_ms[stack.bcrypt_cost],
                memory_mb=stack.memory_mb,
                units=report.units,
                verify_ms=verify_ms,
            )
            if priced
            else None
        )
        report.costs.append((stack, per_million))


def measure_cold_start(report: Report, plan: Plan) -> None:
    """Import timings (interleaved with the baseline) and the zip's size and largest members."""
    say(f"cold-start imports, {plan.runs} runs each")
    report.imports = coldstart.measure_imports(cwd=REPO_ROOT, runs=plan.runs)
    report.heaviest = coldstart.heaviest_imports(
        coldstart.HANDLER_IMPORT, cwd=REPO_ROOT, runs=min(plan.runs, 3)
    )
    if plan.artifact:
        say("building the Lambda artifact (arm64)")
        report.artifact = coldstart.build_and_summarize(REPO_ROOT)
    else:
        report.artifact = coldstart.ArtifactSummary(unavailable="skipped (--quick/--no-artifact)")


def measure_local_stage(report: Report, plan: Plan) -> None:
    """HTTP latency, then throughput rounds, each client count paired with a fresh bcrypt limit."""
    say(f"starting the local stage (BCRYPT_COST={plan.cost})")
    with local_stage(cost=plan.cost) as (url, outbox):
        say(f"HTTP latency through {url}, {plan.requests} requests")
        http = latency.measure_http(url, cost=plan.cost, requests=plan.requests, warmup=plan.warmup)
        report.latency.insert(0, http)
        say(f"verification flow through {url}, {plan.requests} of each request")
        flow = flows.measure_http(url, outbox, requests=plan.requests, warmup=plan.warmup)
        report.flows.insert(0, flow)
        # The same hashing time per limit sample whatever the cost.
        per_thread = max(2, math.ceil(plan.limit_seconds / percentile(http.bare, 50)))
        rates: dict[int, list[float]] = {clients: [] for clients in CLIENT_COUNTS}
        limits: dict[int, list[float]] = {clients: [] for clients in CLIENT_COUNTS}
        failures = dict.fromkeys(CLIENT_COUNTS, 0)
        for round_index in range(plan.runs):
            say(f"throughput round {round_index + 1}/{plan.runs}")
            for clients in CLIENT_COUNTS:
                # The limit right before each client run: both see the same
                # neighbours' load, which on a shared machine swings by 2x.
                limit = bcrypt_limit(
                    plan.cost, threads=report.threads, hashes_per_thread=per_thread
                )
                per_client = throughput.requests_per_client(
                    clients, total_at_least=plan.round_requests
                )
                rate, failed = throughput.signups_per_second(
                    url, clients=clients, per_client=per_client
                )
                limits[clients].append(limit)
                rates[clients].append(rate)
                failures[clients] += failed
        report.limit = [limit for clients in CLIENT_COUNTS for limit in limits[clients]]
        report.throughput = [
            throughput.ThroughputResult(clients, rates[clients], limits[clients], failures[clients])
            for clients in CLIENT_COUNTS
        ]


def run_section(module: str, *args: object, stage: bool) -> str:
    """A section another bench module prints, run in its own interpreter (moto stays there)."""
    command = [sys.executable, "-m", module, *(str(a) for a in args)]
    if not stage:
        command.append("--no-local-stage")
    done = subprocess.run(
        command, cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=1800
    )
    return done.stdout


def measure_mail_path(report: Report, plan: Plan) -> None:
    """On a stage at cost 4: the AUCs over HTTP, the worker's delay, the critical path's depth."""
    say(f"starting a local stage at BCRYPT_COST={enumeration.AUC_COST} for the enumeration AUCs")
    with stage_at(cost=enumeration.AUC_COST) as stage:
        say(f"enumeration AUCs through {stage.api_url}, {plan.auc_samples} per class")
        ddb = dynamodb_local.client(stage.dynamodb_endpoint, StageOptions().region)
        report.enumeration[0:0] = enumeration.measure_http(
            stage.api_url,
            stage.data_dir / MAIL_DIR,
            ddb,
            StageOptions().table_name,
            samples=plan.auc_samples,
            warmup=plan.auc_warmup,
        )
        say(f"answer to .eml, {plan.mail_requests} sign-ups")
        report.mail_delays = mailpath.measure_http(
            stage.api_url, stage.data_dir / MAIL_DIR, requests=plan.mail_requests
        )
        say(f"DynamoDB round trips of a sign-up, {plan.roundtrip_requests} sign-ups")
        trips = roundtrips.measure_on_dynamodb_local(
            stage.dynamodb_endpoint,
            region=StageOptions().region,
            requests=plan.roundtrip_requests,
        )
        report.round_trips, report.round_trip_calls, report.store_wait_local = trips


def main(argv: Sequence[str] | None = None) -> int:
    """Run every measurement the plan asks for, then print and write the report."""
    args, plan = parse_args(argv)
    started = time.monotonic()
    stacks = cost.read_stacks(REPO_ROOT)
    command = "python -m bench " + shlex.join(sys.argv[1:] if argv is None else list(argv))
    report = Report(command=command.strip(), cost=plan.cost, requests=plan.requests, runs=plan.runs)
    report.machine = describe_machine()
    report.threads = core_count()
    if not stacks:
        say("no Pulumi.<stack>.yaml committed yet: the cost table uses a 1024 MB example")
        stacks = [cost.StackConfig("example", 1024, plan.cost, "arm64", "us-east-1")]
    measure_in_process(report, plan, stacks)
    measure_cold_start(report, plan)
    if plan.stage:
        try:
            measure_local_stage(report, plan)
            measure_mail_path(report, plan)
        except LocalStageUnavailable as exc:
            report.latency_note = report.throughput_note = report.mail_note = str(exc)
    else:
        report.latency_note = report.throughput_note = "skipped (--no-local-stage)"
        report.mail_note = "skipped (--no-local-stage)"
    say(f"signing in (issue 22), cost {plan.cost}")
    sign_in_args = ["--cost", plan.cost, "--samples", 20 if plan.cost <= 4 else 100]
    sign_in_section = run_section("bench.sign_in", *sign_in_args, stage=plan.stage)
    say(f"password reset (issue 23), cost {plan.cost}")
    # At least the 60 interleaved samples of each kind the issue asks for.
    reset_args = ["--cost", plan.cost, "--samples", 60 if plan.cost <= 4 else 100]
    reset_section = run_section("bench.reset", *reset_args, stage=plan.stage)
    report.seconds = time.monotonic() - started
    text = render(report) + "\n" + sign_in_section + "\n" + reset_section
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, "utf-8")
    say(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
