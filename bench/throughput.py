"""Sign-ups per second with N concurrent clients, next to the machine's bcrypt limit."""

from __future__ import annotations

import math
import secrets
import threading
import time
from dataclasses import dataclass

import httpx

from bench.latency import signup_body
from bench.stats import median
from contract.routes import CREATE_USER


@dataclass(frozen=True)
class ThroughputResult:
    """Sign-ups per second for one client count, one figure per round, each with its own limit.

    `limits[i]` is the bcrypt limit measured right before `rates[i]`: the ratio
    is taken per pair, then the median over rounds, so a burst from another
    tenant that slows one pair does not skew the others.
    """

    clients: int
    rates: list[float]
    limits: list[float]
    failures: int

    @property
    def median(self) -> float:
        """Median sign-ups per second over rounds."""
        return median(self.rates)

    @property
    def ratio(self) -> float:
        """Median over rounds of sign-ups/s divided by the limit measured next to it."""
        return median([rate / limit for rate, limit in zip(self.rates, self.limits, strict=True)])


def requests_per_client(clients: int, *, total_at_least: int) -> int:
    """Enough requests per client that the round sends at least `total_at_least`, and 2 each.

    Two per client at least, so every client is busy in steady state and not
    only during its ramp-up; the total floor keeps 1 and 2 clients measurable.
    """
    return max(2, math.ceil(total_at_least / clients))


def signups_per_second(url: str, *, clients: int, per_client: int) -> tuple[float, int]:
    """One round: `clients` threads, each with its own connection, each sending `per_client`.

    Returns (successful sign-ups per second, failed requests). The clock runs
    from the moment all clients are released until the last answer arrives.
    """
    tag = secrets.token_hex(4)  # unique usernames: no request ever gets a 409
    start = threading.Barrier(clients + 1)
    finished: list[float] = []
    outcomes: list[bool] = []
    lock = threading.Lock()

    def client_loop(client_index: int) -> None:
        bodies = [signup_body(tag, client_index * per_client + i) for i in range(per_client)]
        with httpx.Client(base_url=url, timeout=120) as client:
            start.wait()
            results = [_post(client, body) for body in bodies]
        with lock:
            outcomes.extend(results)
            finished.append(time.perf_counter())

    threads = [
        threading.Thread(target=client_loop, args=(index,), daemon=True) for index in range(clients)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    succeeded = sum(outcomes)
    return succeeded / (max(finished) - started), len(outcomes) - succeeded


def _post(client: httpx.Client, body: dict[str, str]) -> bool:
    try:
        return client.post(CREATE_USER.path, json=body).status_code == 200
    except httpx.HTTPError:
        return False  # counted as a failure; the round goes on
