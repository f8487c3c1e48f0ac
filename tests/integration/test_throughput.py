"""Sign-ups per second with one client and with two: bcrypt releases the GIL, so cores add up."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor

import bcrypt
import httpx
import pytest

from tests.integration.conftest import user
from tests.plugins.local_stage import StageFactory

pytestmark = [pytest.mark.integration, pytest.mark.slow]
WINDOW_SECONDS = 3.0
ROUNDS = 3


def signups_per_second(url: str, clients: int) -> float:
    """Completed sign-ups per second with `clients` sending back to back for the window."""

    def client_loop(_: int) -> int:
        done = 0
        deadline = time.monotonic() + WINDOW_SECONDS
        with httpx.Client(base_url=url, timeout=30) as client:
            while time.monotonic() < deadline:
                assert client.post("/createUser", json=user()).status_code == 200
                done += 1
        return done

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        total = sum(pool.map(client_loop, range(clients)))
    return total / (time.monotonic() - started)


def bcrypt_speedup() -> float:
    """How much faster two threads hash than one on this machine right now (the ceiling)."""

    def hash_n(n: int) -> None:
        for _ in range(n):
            bcrypt.hashpw(b"correct horse battery staple", bcrypt.gensalt(12))

    started = time.monotonic()
    hash_n(8)
    one = time.monotonic() - started
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(hash_n, (4, 4)))
    return one / (time.monotonic() - started)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two cores")
def test_local_stage_two_clients_nearly_double_throughput(
    start_local_stage: StageFactory, record_property: pytest.RecordProperty
) -> None:
    # The production cost: hashing dominates, as it does on AWS.
    stage = start_local_stage(env={"BCRYPT_COST": "12"})
    signups_per_second(stage.api_url, 1)  # warm-up: imports, clients, DynamoDB Local's caches
    # Best of interleaved rounds: other load on a shared machine comes and goes,
    # and must not land on one side of the comparison only.
    one = two = ceiling = 0.0
    for _ in range(ROUNDS):
        one = max(one, signups_per_second(stage.api_url, 1))
        two = max(two, signups_per_second(stage.api_url, 2))
        ceiling = max(ceiling, bcrypt_speedup())
    record_property("signups_per_second", {"one_client": one, "two_clients": two})
    print(
        f"\nsign-ups/s at bcrypt cost 12: 1 client {one:.2f}, 2 clients {two:.2f},"
        f" ratio {two / one:.2f}; raw bcrypt 2-thread speedup here {ceiling:.2f}"
    )
    if ceiling < 1.3:
        pytest.skip(f"other load leaves no second core (bcrypt speedup {ceiling:.2f})")
    # Shared CI machines rarely give a full second core; the stage must not be
    # what serialises sign-ups, so compare with what the machine allows.
    assert two / one >= min(1.5, 0.8 * ceiling)
