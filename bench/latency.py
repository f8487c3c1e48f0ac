"""Request latency, each request paired with a bare bcrypt hash measured right next to it.

Pairing (hash, request, hash, request, ...) means a burst of noise from other
tenants hits both series alike, so the ratio stays meaningful when the
absolute numbers do not.
"""

from __future__ import annotations

import copy
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import httpx

from bench.baseline import bare_hash_seconds
from bench.stats import percentile

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
SAMPLE_EVENT: Final = REPO_ROOT / "tests" / "events" / "create_user.json"
TABLE: Final = "users-bench"


@dataclass(frozen=True)
class LatencyResult:
    """Seconds per request on one path, and the paired bare-hash seconds."""

    path: str
    cost: int
    requests: list[float]
    bare: list[float]

    @property
    def bare_median(self) -> float:
        """The baseline: the median bare hash, in seconds."""
        return percentile(self.bare, 50)

    def ratio(self, q: float) -> float:
        """The q-th percentile request over the median bare hash: 1.0 is bcrypt and nothing else.

        Every percentile is divided by the same baseline, the bare hash's
        median, not by the bare hash's own q-th percentile: at p95 both series
        are made of other tenants' stalls, and dividing one stall by another
        says nothing about the service (it even went below 1 in trial runs).
        """
        return percentile(self.requests, q) / self.bare_median

    def overhead_ms(self, q: float) -> float:
        """What the q-th percentile request takes beyond the median bare hash, in ms."""
        return (percentile(self.requests, q) - self.bare_median) * 1000


def signup_body(tag: str, index: int) -> dict[str, str]:
    """A valid sign-up, unique per (tag, index): never a 409, never a rule violation."""
    username = f"b{tag}x{index}"
    return {
        "username": username,
        "email": f"{username}@example.com",
        # Random, so it is neither a common password nor close to the username.
        "password": secrets.token_urlsafe(18),
    }


def paired_samples(
    call: Callable[[dict[str, str]], None], *, cost: int, requests: int, warmup: int
) -> tuple[list[float], list[float]]:
    """Time `call` on fresh sign-ups, alternating with a bare hash; warm-up calls are not kept."""
    tag = secrets.token_hex(4)
    for index in range(warmup):
        call(signup_body(tag, -index - 1))
    timed: list[float] = []
    bare: list[float] = []
    for index in range(requests):
        bare.append(bare_hash_seconds(cost))
        body = signup_body(tag, index)
        started = time.perf_counter()
        call(body)
        timed.append(time.perf_counter() - started)
    return timed, bare


def measure_http(url: str, *, cost: int, requests: int, warmup: int) -> LatencyResult:
    """POST /createUser through the local stage (HTTP, gateway, handler, DynamoDB Local)."""
    with httpx.Client(base_url=url, timeout=60) as client:

        def call(body: dict[str, str]) -> None:
            response = client.post("/createUser", json=body)
            if response.status_code != 200:
                raise RuntimeError(f"local stage answered {response.status_code}")

        timed, bare = paired_samples(call, cost=cost, requests=requests, warmup=warmup)
    return LatencyResult("local stage, HTTP", cost, timed, bare)


def measure_in_process(*, cost: int, requests: int, warmup: int) -> LatencyResult:
    """The handler called directly on moto, in a worker process with the function's environment.

    A separate interpreter keeps moto, the fake credentials and the handler's
    once-per-container clients out of the caller (pytest, or the local-stage run).
    """
    done = subprocess.run(
        [sys.executable, "-m", "bench.latency", str(cost), str(requests), str(warmup)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    result = json.loads(done.stdout)
    return LatencyResult("in-process handler, moto", cost, result["requests"], result["bare"])


def _lambda_environment(cost: int) -> dict[str, str]:
    return {
        # moto needs credentials to exist; these are fake and go nowhere.
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "TABLE_NAME": TABLE,
        "PASSWORD_PEPPER": secrets.token_urlsafe(48),
        "BCRYPT_COST": str(cost),
    }


def _worker(cost: int, requests: int, warmup: int) -> dict[str, list[float]]:
    for name in ("AWS_PROFILE", "PEPPER_PARAMETER", "AWS_ENDPOINT_URL_DYNAMODB"):
        os.environ.pop(name, None)
    os.environ.update(_lambda_environment(cost))
    import boto3
    from moto import mock_aws

    from backend import handler as lambda_module
    from infra.local.dynamodb_local import ensure_table
    from infra.local.lambda_context import LocalLambdaContext

    template: dict[str, Any] = json.loads(SAMPLE_EVENT.read_text("utf-8"))

    with mock_aws():
        ensure_table(boto3.client("dynamodb"), TABLE)
        lambda_module.dependencies.cache_clear()  # clients must be built inside mock_aws

        def call(body: dict[str, str]) -> None:
            event = copy.deepcopy(template)
            event["body"] = json.dumps(body)
            context = LocalLambdaContext("signup-bench", os.environ["AWS_REGION"], 15)
            response = lambda_module.handler(event, context)
            if response["statusCode"] != 200:
                raise RuntimeError(f"handler answered {response['statusCode']}")

        timed, bare = paired_samples(call, cost=cost, requests=requests, warmup=warmup)
    return {"requests": timed, "bare": bare}


def main(argv: list[str]) -> None:
    """Worker entry: `python -m bench.latency COST REQUESTS WARMUP` prints JSON samples."""
    cost, requests, warmup = (int(arg) for arg in argv)
    out = sys.stdout
    # The handler logs one JSON line per request to stdout, as on Lambda. Keep
    # that work in the measurement but send it to /dev/null: the logger binds
    # the stream it sees when the handler module is imported, below.
    with open(os.devnull, "w") as devnull:
        sys.stdout = devnull
        try:
            result = _worker(cost, requests, warmup)
        finally:
            sys.stdout = out
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
