"""Can the answer time tell an address's state? ROC AUC of answer times between every pair of
classes, for `POST /createUser` (new, pending, verified) and `POST /resendVerification` (unknown,
pending and due, pending in cooldown, verified).

Each sample is a request for its own target address, prepared beforehand in the wanted state;
the classes are interleaved in a fresh random order every round, so drift in the machine's load
hits all alike. An AUC of 0.5 means the times of two classes cannot be told apart; the goal is
[0.35, 0.65] for every pair, at bcrypt cost 4 (so the store's work, not the hash, shows).

Every target address has the same history in the current rate-limit window: a pending or a
verified one was signed up with once while it was prepared, so a new or unknown one is asked
for once too (a resend, which counts in the same per-identifier counters and sends nothing).
Otherwise the classes would also differ in whether their counters exist yet, which is not the
state under test: any request for an address, anyone's, creates them (SECURITY.md says what
that difference showed when it was left in).
"""

from __future__ import annotations

import itertools
import random
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from bench.calls import Call, over_http, timed
from bench.latency import signup_body
from bench.stats import roc_auc
from contract.bounds import RESEND_COOLDOWN_SECONDS
from contract.routes import CREATE_USER, RESEND_VERIFICATION, VERIFY_EMAIL
from contract.rules import email_key
from contract.table_keys import OUTBOX_PREFIX

SIGNUP_CLASSES: Final = ("new", "pending", "verified")
RESEND_CLASSES: Final = ("unknown", "pending due", "pending in cooldown", "verified")
AUC_GOAL: Final = (0.35, 0.65)
AUC_COST: Final = 4
# The longest a resend run may take while its cooling targets stay in their cooldown.
COOLING_RUN_SECONDS: Final = 3600


@dataclass(frozen=True)
class Separability:
    """Answer times per class for one route on one path, and the AUC of every pair."""

    path: str
    route: str
    samples: dict[str, list[float]]

    def pairs(self) -> list[tuple[str, str, float]]:
        """(class a, class b, AUC that a's time exceeds b's) for every pair of classes."""
        return [
            (a, b, roc_auc(self.samples[a], self.samples[b]))
            for a, b in itertools.combinations(self.samples, 2)
        ]

    @property
    def within_goal(self) -> bool:
        """Every pair's AUC is within AUC_GOAL."""
        low, high = AUC_GOAL
        return all(low <= auc <= high for _, _, auc in self.pairs())


@dataclass
class Targets:
    """What the bench needs to reach into the path under test."""

    call: Call
    # Every verification token the worker has mailed so far, by address (waits for the worker).
    tokens: Callable[[list[str]], dict[str, str]]
    # Stamp a pending sign-up's last mail at `seconds` from now (negative: in the past).
    stamp_mailed: Callable[[str, int], None]
    # Wait until the mail worker has nothing left to do (on the local stage it
    # runs beside the API): each sample is timed on a quiet stage, as a prober
    # who picks their moment would time it.
    settle: Callable[[], None] = lambda: None


def _expect(status: int, wanted: int, what: str) -> None:
    if status != wanted:
        raise RuntimeError(f"{what} answered {status}, expected {wanted}")


def _pending(targets: Targets, tag: str, count: int) -> list[dict[str, str]]:
    bodies = [signup_body(tag, n) for n in range(count)]
    for body in bodies:
        _expect(targets.call(CREATE_USER.path, body), 200, "a preparing sign-up")
    return bodies


def _verified(targets: Targets, tag: str, count: int) -> list[str]:
    bodies = _pending(targets, tag, count)
    tokens = targets.tokens([b["email"] for b in bodies])
    for body in bodies:
        confirm = {"token": tokens[body["email"]], "password": body["password"]}
        _expect(targets.call(VERIFY_EMAIL.path, confirm), 200, "a preparing verification")
    return [b["email"] for b in bodies]


def _touched(targets: Targets, addresses: list[str]) -> list[str]:
    """Give never-used addresses the counter history a preparing sign-up gives the others."""
    for address in addresses:
        _expect(targets.call(RESEND_VERIFICATION.path, {"email": address}), 202, "a touch")
    return addresses


def _interleaved(
    rounds: int, classes: tuple[str, ...], request: Callable[[str, int], float]
) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {name: [] for name in classes}
    order = list(classes)
    shuffler = random.Random(20)
    for index in range(rounds):
        shuffler.shuffle(order)
        for name in order:
            samples[name].append(request(name, index))
    return samples


def _settled(targets: Targets, request: Callable[[str, int], float]) -> Callable[[str, int], float]:
    def quietly(name: str, index: int) -> float:
        targets.settle()
        return request(name, index)

    return quietly


def measure_signups(targets: Targets, *, samples: int, warmup: int) -> dict[str, list[float]]:
    """createUser for a new, a pending and a verified address, `samples` of each."""
    tag = secrets.token_hex(3)
    pending = [b["email"] for b in _pending(targets, f"{tag}p", samples + warmup)]
    verified = _verified(targets, f"{tag}v", samples + warmup)
    addresses = {
        "new": _touched(targets, [f"n{tag}x{n}@example.com" for n in range(samples + warmup)]),
        "pending": pending,
        "verified": verified,
    }

    def request(name: str, index: int) -> float:
        body = {**signup_body(f"{tag}s{name[0]}", index), "email": addresses[name][index]}
        return timed(targets.call, CREATE_USER.path, body, 200)

    request = _settled(targets, request)
    for index in range(warmup):
        for name in SIGNUP_CLASSES:
            request(name, samples + index)
    return _interleaved(samples, SIGNUP_CLASSES, request)


def measure_resends(targets: Targets, *, samples: int, warmup: int) -> dict[str, list[float]]:
    """resendVerification for unknown, due, cooling and verified addresses, `samples` of each."""
    tag = secrets.token_hex(3)
    count = samples + warmup
    due = [b["email"] for b in _pending(targets, f"{tag}d", count)]
    for address in due:
        targets.stamp_mailed(address, -RESEND_COOLDOWN_SECONDS - 1)  # due a cooldown ago
    verified = _verified(targets, f"{tag}v", count)
    cooling = [b["email"] for b in _pending(targets, f"{tag}c", count)]
    for address in cooling:
        # Mailed "just now" for as long as the run takes: the worker, which
        # decides after each answer, still finds them in their cooldown.
        targets.stamp_mailed(address, COOLING_RUN_SECONDS - RESEND_COOLDOWN_SECONDS)
    addresses = {
        "unknown": _touched(targets, [f"u{tag}x{n}@example.com" for n in range(count)]),
        "pending due": due,
        "pending in cooldown": cooling,
        "verified": verified,
    }

    def request(name: str, index: int) -> float:
        body = {"email": addresses[name][index]}
        return timed(targets.call, RESEND_VERIFICATION.path, body, 202)

    request = _settled(targets, request)
    for index in range(warmup):
        for name in RESEND_CLASSES:
            request(name, samples + index)
    return _interleaved(samples, RESEND_CLASSES, request)


# ---- in process, on moto -------------------------------------------------------------------


def _moto_targets(harness: Any) -> Targets:
    from bench.flows import links_by_address

    def tokens(addresses: list[str]) -> dict[str, str]:
        harness.deliver()
        return links_by_address(harness.outbox, addresses)

    def stamp(address: str, seconds: int) -> None:
        _stamp_mailed(harness.dynamodb, harness.table, address, seconds)

    return Targets(harness.call, tokens, stamp)


def _stamp_mailed(dynamodb: Any, table: str, address: str, seconds: int) -> None:
    dynamodb.update_item(
        TableName=table,
        Key={"pk": {"S": f"EMAIL#{email_key(address)}"}},
        UpdateExpression="SET mailedAt = :then",
        ExpressionAttributeValues={":then": {"N": str(int(time.time()) + seconds)}},
    )


def _worker(samples: int, warmup: int) -> dict[str, Any]:
    from bench.inprocess import handler_on_moto

    with handler_on_moto(AUC_COST) as harness:
        targets = _moto_targets(harness)
        signups = measure_signups(targets, samples=samples, warmup=warmup)
        resends = measure_resends(targets, samples=samples, warmup=warmup)
    return {"signups": signups, "resends": resends}


def measure_in_process(*, samples: int, warmup: int) -> list[Separability]:
    """Both routes on the handler over moto, in a worker interpreter (as bench.latency)."""
    from bench.inprocess import run_worker

    result = run_worker("bench.enumeration", samples, warmup)
    path = "in-process handler, moto"
    return [
        Separability(path, CREATE_USER.path, result["signups"]),
        Separability(path, RESEND_VERIFICATION.path, result["resends"]),
    ]


# ---- through the local stage -----------------------------------------------------------------


def measure_http(
    url: str, outbox: Path, dynamodb: Any, table: str, *, samples: int, warmup: int
) -> list[Separability]:
    """Both routes over HTTP through a local stage at cost AUC_COST."""
    from bench.flows import links_by_address

    with over_http(url) as call:

        def tokens(addresses: list[str]) -> dict[str, str]:
            return links_by_address(outbox, addresses)

        def settle() -> None:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and _outbox_size(dynamodb, table):
                time.sleep(0.01)

        def stamp(address: str, seconds: int) -> None:
            _stamp_mailed(dynamodb, table, address, seconds)

        targets = Targets(call, tokens, stamp, settle)
        signups = measure_signups(targets, samples=samples, warmup=warmup)
        resends = measure_resends(targets, samples=samples, warmup=warmup)
    path = "local stage, HTTP"
    return [
        Separability(path, CREATE_USER.path, signups),
        Separability(path, RESEND_VERIFICATION.path, resends),
    ]


def _outbox_size(dynamodb: Any, table: str) -> int:
    pages = dynamodb.get_paginator("scan").paginate(
        TableName=table,
        Select="COUNT",
        FilterExpression="begins_with(pk, :outbox)",
        ExpressionAttributeValues={":outbox": {"S": OUTBOX_PREFIX}},
    )
    return sum(page["Count"] for page in pages)


def main(argv: list[str]) -> None:
    """Worker entry: `python -m bench.enumeration SAMPLES WARMUP` prints JSON samples."""
    from bench.inprocess import print_quietly

    samples, warmup = (int(arg) for arg in argv)
    print_quietly(lambda: _worker(samples, warmup))


if __name__ == "__main__":
    main(sys.argv[1:])
