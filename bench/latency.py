"""Request latency, each request paired with a bare bcrypt hash measured right next to it.

Pairing (hash, request, hash, request, ...) means a burst of noise from other
tenants hits both series alike, so the ratio stays meaningful when the
absolute numbers do not.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import httpx

from backend.routes import CREATE_USER
from bench.baseline import bare_hash_seconds
from bench.stats import percentile

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
REGION: Final = "us-east-1"  # moto's; nothing leaves this machine
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
            response = client.post(CREATE_USER.path, json=body)
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


def _worker(cost: int, requests: int, warmup: int) -> dict[str, list[float]]:
    # moto needs credentials to exist before clients are built; these are fake
    # and go nowhere, and a developer's own never reach the handler.
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        os.environ.pop(name, None)
    from infra.local.dynamodb_local import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY

    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_ACCESS_KEY,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
        }
    )
    import boto3
    from moto import mock_aws

    from backend.config import Settings
    from backend.handler import create_handler
    from infra.local.events import HttpRequest, build_event
    from infra.local.lambda_context import LocalLambdaContext
    from infra.local.table import ensure_table

    outbox = tempfile.mkdtemp(prefix="bench-mail-")
    settings = Settings(
        table_name=TABLE,
        pepper_value=secrets.token_urlsafe(48),
        bcrypt_cost=cost,
        web_url="http://localhost:3000",
        # The local stage's mailer: a file per mail, so no network is timed.
        mail_outbox_dir=outbox,
    )
    with mock_aws():
        ensure_table(boto3.client("dynamodb"), TABLE)
        handler = create_handler(lambda: settings)  # its clients are built inside mock_aws

        def call(body: dict[str, str]) -> None:
            request = HttpRequest(
                method=CREATE_USER.method,
                target=CREATE_USER.path,
                headers=(("content-type", "application/json"),),
                body=json.dumps(body).encode(),
                source_ip="192.0.2.10",
            )
            event = build_event(
                request,
                route_key=CREATE_USER.key,
                request_id=secrets.token_hex(8),
                api_id="bench",
                account_id="000000000000",
            )
            response = handler(event, LocalLambdaContext("signup-bench", REGION, 15))
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
