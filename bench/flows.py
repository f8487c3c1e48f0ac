"""The verification flow's own figures: how long `/verifyEmail` takes, and whether a sign-up for an
address that already has an account can be told from a new one by its timing (it must not: the
answers are the same, and the two paths do the same work, one hash and one mail, bar the writes).

Each taken-address sign-up is timed right next to a new-address one, alternating which goes first,
so drift in the machine's load hits both series alike.
"""

from __future__ import annotations

import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from bench.calls import Call, over_http, timed
from bench.inprocess import run_worker
from bench.latency import signup_body
from bench.stats import percentile
from contract.routes import CREATE_USER, VERIFY_EMAIL

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
# Within 5 % either way: the goal the verification issue set.
TIMING_GOAL: Final = 0.05

TokenFor = Callable[[str], str]


@dataclass(frozen=True)
class FlowResult:
    """Seconds per request on one path: verifications, new- and taken-address sign-ups."""

    path: str
    verify: list[float]
    new: list[float]
    taken: list[float]

    @property
    def taken_ratio(self) -> float:
        """p50 of a sign-up for a verified address over p50 of one for a new address."""
        return percentile(self.taken, 50) / percentile(self.new, 50)

    @property
    def within_goal(self) -> bool:
        """The two p50s are within TIMING_GOAL of each other."""
        return abs(self.taken_ratio - 1) <= TIMING_GOAL


def measure(call: Call, token_for: TokenFor, *, requests: int, warmup: int) -> dict[str, Any]:
    """Verify `requests` fresh sign-ups, then time new and taken sign-ups pairwise."""
    tag = secrets.token_hex(4)
    verify: list[float] = []
    taken_addresses = []
    for index in range(-warmup, requests):
        body = signup_body(tag, index)
        _expect(call(CREATE_USER.path, body), 200)
        confirm = {"token": token_for(body["email"]), "password": body["password"]}
        took = timed(call, VERIFY_EMAIL.path, confirm, 200)
        if index >= 0:
            verify.append(took)
            taken_addresses.append(body["email"])
    new: list[float] = []
    taken: list[float] = []
    for index, address in enumerate(taken_addresses):
        fresh = signup_body(tag + "n", index)
        reused = {**signup_body(tag + "t", index), "email": address}
        pair = [(new, fresh), (taken, reused)]
        for series, body in pair if index % 2 else reversed(pair):
            series.append(timed(call, CREATE_USER.path, body, 200))
    return {"verify": verify, "new": new, "taken": taken}


def _expect(status: int, wanted: int) -> None:
    if status != wanted:
        raise RuntimeError(f"answered {status}, expected {wanted}")


def newest_token(outbox: Path, address: str, *, wait: float = 20.0) -> str:
    """The token of the newest link mailed to `address` in a local outbox (the mail worker
    writes it a moment after the answer: waits up to `wait` seconds for one)."""
    deadline = time.monotonic() + wait
    while True:
        found = _newest_token(outbox, address)
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise RuntimeError(f"no link for {address} in {outbox}")
        time.sleep(0.02)


def links_by_address(outbox: Path, addresses: list[str], *, wait: float = 60.0) -> dict[str, str]:
    """The newest link's token for each of `addresses`, reading each mail once (waits up to
    `wait` seconds for the mail worker to have mailed them all)."""
    wanted = set(addresses)
    deadline = time.monotonic() + wait
    read: dict[Path, tuple[str, str | None]] = {}
    while True:
        for path in sorted(outbox.glob("[!.]*.eml")):  # not a file still being written
            if path not in read:
                message = message_from_bytes(path.read_bytes(), policy=policy.default)
                read[path] = (str(message["To"]), _token_in(message))
        found = {to: token for to, token in read.values() if token and to in wanted}
        if set(found) == wanted:
            return found
        if time.monotonic() > deadline:
            raise RuntimeError(f"{len(wanted - set(found))} links never reached {outbox}")
        time.sleep(0.05)


def _token_in(message: Any) -> str | None:
    text = message.get_body(preferencelist=("plain",))
    for line in (text.get_content() if text else "").splitlines():
        if "/verify?token=" in line:
            return parse_qs(urlsplit(line.strip()).query)["token"][0]
    return None


def _newest_token(outbox: Path, address: str) -> str | None:
    for path in sorted(outbox.glob("[!.]*.eml"), reverse=True):  # not one being written
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == address:
            text = message.get_body(preferencelist=("plain",))
            for line in (text.get_content() if text else "").splitlines():
                if "/verify?token=" in line:
                    return parse_qs(urlsplit(line.strip()).query)["token"][0]
    return None


def measure_http(url: str, outbox: Path, *, requests: int, warmup: int) -> FlowResult:
    """The flow through the local stage: HTTP, gateway, handler, DynamoDB Local, the outbox."""
    with over_http(url) as call:
        samples = measure(call, lambda a: newest_token(outbox, a), requests=requests, warmup=warmup)
    return FlowResult("local stage, HTTP", **samples)


def measure_in_process(*, cost: int, requests: int, warmup: int) -> FlowResult:
    """The handler on moto, in a worker interpreter (as in bench.latency, for the same reasons)."""
    samples = run_worker("bench.flows", cost, requests, warmup)
    return FlowResult("in-process handler, moto", **samples)


def _worker(cost: int, requests: int, warmup: int) -> dict[str, Any]:
    from bench.inprocess import handler_on_moto

    with handler_on_moto(cost) as harness:

        def token_for(address: str) -> str:
            harness.deliver()
            return newest_token(harness.outbox, address)

        return measure(harness.call, token_for, requests=requests, warmup=warmup)


def main(argv: list[str]) -> None:
    """Worker entry: `python -m bench.flows COST REQUESTS WARMUP` prints JSON samples."""
    from bench.inprocess import print_quietly

    cost, requests, warmup = (int(arg) for arg in argv)
    print_quietly(lambda: _worker(cost, requests, warmup))


if __name__ == "__main__":
    main(sys.argv[1:])
