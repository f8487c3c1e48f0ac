"""Request latency, each request paired with a bare bcrypt hash measured right next to it.

Pairing (hash, request, hash, request, ...) means a burst of noise from other
tenants hits both series alike, so the ratio stays meaningful when the
absolute numbers do not.
"""

from __future__ import annotations

import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import httpx

from bench.baseline import bare_hash_seconds
from bench.inprocess import run_worker
from bench.stats import percentile
from contract.routes import CREATE_USER

REPO_ROOT: Final = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class LatencyResult:
    """Seconds per request on one path, and the paired bare-hash seconds."""

    path: str
    cost: int
    requests: list[float]
    bare: list[float]
    # Per request, the seconds it waited on DynamoDB (in process only: the calls are seen).
    store: list[float] = field(default_factory=list)

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
    result = run_worker("bench.latency", cost, requests, warmup)
    return LatencyResult(
        "in-process handler, moto", cost, result["requests"], result["bare"], result["store"]
    )


def _worker(cost: int, requests: int, warmup: int) -> dict[str, list[float]]:
    from bench.inprocess import handler_on_moto
    from bench.sdk_calls import recorded, waiting_seconds

    store: list[float] = []
    with handler_on_moto(cost) as harness:
        call = _expect_200(harness.call)

        def watched(body: dict[str, str]) -> None:
            with recorded() as calls:
                call(body)
            store.append(waiting_seconds(calls))

        timed, bare = paired_samples(watched, cost=cost, requests=requests, warmup=warmup)
    return {"requests": timed, "bare": bare, "store": store[warmup:]}


def _expect_200(
    call_path: Callable[[str, dict[str, str]], int],
) -> Callable[[dict[str, str]], None]:
    def call(body: dict[str, str]) -> None:
        status = call_path(CREATE_USER.path, body)
        if status != 200:
            raise RuntimeError(f"handler answered {status}")

    return call


def _limits_worker(cost: int, requests: int, warmup: int) -> dict[str, list[float]]:
    """Accepted sign-ups with every limit counted, and with limits off, alternating."""
    from bench.inprocess import handler_on_moto

    samples: dict[str, list[float]] = {"on": [], "off": []}
    with handler_on_moto(cost) as on, handler_on_moto(cost, limits=False) as off:
        tag = secrets.token_hex(4)
        pairs = [("on", _expect_200(on.call)), ("off", _expect_200(off.call))]
        for index in range(-warmup, requests):
            for name, call in pairs if index % 2 else reversed(pairs):
                body = signup_body(f"{tag}{name}", index)
                started = time.perf_counter()
                call(body)
                if index >= 0:
                    samples[name].append(time.perf_counter() - started)
    return samples


def measure_limits(*, cost: int, requests: int, warmup: int) -> tuple[list[float], list[float]]:
    """What the rate limits cost an accepted sign-up, in process on moto: (on, off) seconds."""
    result = run_worker("bench.latency", cost, requests, warmup, "limits")
    return result["on"], result["off"]


def main(argv: list[str]) -> None:
    """Worker entry: `python -m bench.latency COST REQUESTS WARMUP [limits]` prints JSON samples."""
    from bench.inprocess import print_quietly

    cost, requests, warmup = (int(arg) for arg in argv[:3])
    worker = _limits_worker if argv[3:] == ["limits"] else _worker
    print_quietly(lambda: worker(cost, requests, warmup))


if __name__ == "__main__":
    main(sys.argv[1:])
