"""How many DynamoDB round trips a sign-up waits for, one after another (its critical path).

Every DynamoDB call of one sign-up (without an Idempotency-Key) is timed;
calls that overlap in time (the rate-limit counters written while the claims
are read) count once. The depth is the longest chain of calls each starting
after the previous one ended.
"""

from __future__ import annotations

import sys

from bench.latency import signup_body
from bench.sdk_calls import recorded, waiting_seconds
from bench.stats import median
from contract.routes import CREATE_USER


def sequential_depth(calls: list[tuple[float, float]]) -> int:
    """The most calls that ran one after another: a greedy chain by end time."""
    depth, free_at = 0, float("-inf")
    for start, end in sorted(calls, key=lambda call: call[1]):
        if start >= free_at:
            depth, free_at = depth + 1, end
    return depth


def measure_on_dynamodb_local(
    endpoint: str, *, region: str, requests: int
) -> tuple[int, list[str], float]:
    """The median depth over `requests` sign-ups by the real handler in a worker interpreter,
    its store on DynamoDB Local over HTTP (a table of its own); one sign-up's calls in start
    order; and the median seconds a sign-up waited on DynamoDB Local (its calls' spans,
    merged). A worker of its own, as bench.latency's: the handler's log lines stay out of the
    bench's output, and its once-per-container clients out of the caller."""
    from bench.inprocess import run_worker

    found = run_worker("bench.roundtrips", endpoint, region, requests)
    return found["depth"], found["operations"], found["waited"]


def _worker(endpoint: str, *, region: str, requests: int) -> tuple[int, list[str], float]:
    """measure_on_dynamodb_local's work, in the worker interpreter.

    DynamoDB Local, not moto: its calls are network round trips that overlap
    as on AWS, where moto's run one at a time in this interpreter.
    """
    import json
    import secrets
    import tempfile

    from backend.config import Settings
    from backend.handler import create_handler
    from bench.limits import NEVER_REACHED
    from contract.environment import (
        BCRYPT_COST,
        DYNAMODB_ENDPOINT,
        MAIL_OUTBOX_DIR,
        PASSWORD_PEPPER,
        TABLE_NAME,
        WEB_URL,
    )
    from infra.local import dynamodb_local
    from infra.local.events import HttpRequest, build_event
    from infra.local.lambda_context import LocalLambdaContext
    from infra.local.table_setup import ensure_table

    table = f"roundtrips-{secrets.token_hex(3)}"
    ensure_table(dynamodb_local.client(endpoint, region), table, stream=False)
    with tempfile.TemporaryDirectory(prefix="bench-rt-") as outbox:
        settings = Settings.from_env(
            {
                TABLE_NAME: table,
                PASSWORD_PEPPER: secrets.token_urlsafe(48),
                BCRYPT_COST: "4",
                DYNAMODB_ENDPOINT: endpoint,
                WEB_URL: "http://localhost:3000",
                MAIL_OUTBOX_DIR: outbox,
                **NEVER_REACHED,
            }
        )
        handler = create_handler(lambda: settings, session=dynamodb_local.local_session(region))

        def sign_up(body: dict[str, str]) -> int:
            request = HttpRequest(
                "POST",
                CREATE_USER.path,
                (("content-type", "application/json"),),
                json.dumps(body).encode(),
                "192.0.2.10",
            )
            event = build_event(
                request,
                route_key=CREATE_USER.key,
                request_id=secrets.token_hex(8),
                api_id="bench",
                account_id="000000000000",
            )
            context = LocalLambdaContext("signup-bench", region, 15)
            return int(handler(event, context)["statusCode"])

        sign_up(signup_body("rtwarm", 0))
        depths: list[float] = []
        waits: list[float] = []
        operations: list[str] = []
        for index in range(requests):
            with recorded() as calls:
                if sign_up(signup_body(f"rt{table[-6:]}", index)) != 200:
                    raise RuntimeError("a sign-up failed")
            depths.append(sequential_depth([(call.started, call.ended) for call in calls]))
            waits.append(waiting_seconds(calls))
            operations = [call.operation for call in sorted(calls, key=lambda c: c.started)]
    return round(median(depths)), operations, median(waits)


def main(argv: list[str]) -> None:
    """Worker entry: `python -m bench.roundtrips ENDPOINT REGION REQUESTS` prints JSON."""
    from bench.inprocess import print_quietly

    endpoint, region, requests = argv

    def work() -> dict[str, object]:
        depth, operations, waited = _worker(endpoint, region=region, requests=int(requests))
        return {"depth": depth, "operations": operations, "waited": waited}

    print_quietly(work)


if __name__ == "__main__":
    main(sys.argv[1:])
