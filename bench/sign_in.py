"""Signing in, measured: p50 over bare bcrypt, the answer-time AUC, the cost per million.

`python -m bench.sign_in [--cost N] [--samples N] [--no-local-stage]` prints
a markdown section (also appended to `make bench`'s report):

- in process (the real handler on moto, KMS signing included) and through the
  local stage over HTTP: the p50 of a successful sign-in divided by the p50 of
  one bare bcrypt check at the same cost, measured in the same process;
- the ROC AUC of answer times, wrong password against unknown login, from
  interleaved samples (0.5: the times tell nothing; the issue asks for
  [0.35, 0.65]);
- dollars per million sign-ins (bench/cost.py) beside Cognito's price for the
  same monthly active users.

The limits are counted (their writes are part of every figure) but set far
above what the run sends from its one address.
"""

from __future__ import annotations

import random
import secrets
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final

from bench import section
from bench.calls import Call, over_http, timed
from bench.stats import percentile, roc_auc
from contract.routes import SIGN_IN

# The bench's own account. PASSWORD is the one tests.support.accounts.account_items stores by
# default (not imported from there: that module brings moto and pytest with it).
USERNAME: Final = "BenchUser"
EMAIL: Final = "bench@example.com"
PASSWORD: Final = "correct horse battery staple"  # noqa: S105 - the bench's own account
WRONG: Final = "ocean violet lantern mosaic"


@dataclass
class Timings:
    """One place's samples, in seconds."""

    where: str
    bare: list[float] = field(default_factory=list)
    sign_in: list[float] = field(default_factory=list)
    wrong_password: list[float] = field(default_factory=list)
    unknown_login: list[float] = field(default_factory=list)
    # One successful sign-in's DynamoDB units (write, read), where its calls can be seen.
    units: tuple[float, float] | None = None

    def ratio(self) -> float:
        """Sign-in p50 over bare bcrypt p50."""
        return percentile(self.sign_in, 50) / percentile(self.bare, 50)

    def auc(self) -> float:
        """ROC AUC of wrong-password times against unknown-login times."""
        return roc_auc(self.wrong_password, self.unknown_login)


def _credentials(login: str, password: str) -> dict[str, str]:
    return {"login": login, "password": password}


def measure(
    timings: Timings, call: Call, bare: Callable[[], None], *, samples: int, login: str
) -> Timings:
    """Bare bcrypt and successful sign-ins interleaved, then the two failures interleaved."""
    for _ in range(3):  # warm-up: lazy clients, the first KMS call, connections
        call(SIGN_IN.path, _credentials(login, PASSWORD))
        call(SIGN_IN.path, _credentials(login, WRONG))
    for _ in range(samples):
        started = time.perf_counter()
        bare()
        timings.bare.append(time.perf_counter() - started)
        timings.sign_in.append(timed(call, SIGN_IN.path, _credentials(login, PASSWORD), 200))
    order = ["wrong"] * samples + ["unknown"] * samples
    random.shuffle(order)  # interleaved at random: drift hits both alike
    for kind in order:
        if kind == "wrong":
            wrong = _credentials(login, WRONG)
            timings.wrong_password.append(timed(call, SIGN_IN.path, wrong, 401))
        else:
            unknown = _credentials(f"nobody-{secrets.token_hex(4)}", PASSWORD)
            # The account's failure counters exist from the attempts before; an unknown
            # login's would be created by the timed attempt, which alone tells them apart (a
            # sign of recent attempts, not of an account: SECURITY.md). Tried once first,
            # both have the same history, and only the account is left to tell.
            call(SIGN_IN.path, unknown)
            timings.unknown_login.append(timed(call, SIGN_IN.path, unknown, 401))
    return timings


def _bare_check(pepper: str, cost: int) -> Callable[[], None]:
    """One bcrypt check of the account's password with the place's pepper and cost, as the
    handler's; the hash it checks against is made here, untimed."""
    from backend.hashing import PasswordHasher

    hasher = PasswordHasher(pepper.encode(), cost=cost)
    stored = hasher.hash(PASSWORD)

    def check() -> None:
        hasher.verify(PASSWORD, stored)

    return check


def _units_of_one(call: Call, login: str) -> tuple[float, float]:
    """The DynamoDB units of one successful sign-in, counted from its calls (bench/units.py)."""
    from bench.sdk_calls import recorded
    from bench.units import units_of_calls

    with recorded() as calls:
        timed(call, SIGN_IN.path, _credentials(login, PASSWORD), 200)
    return units_of_calls(calls)


# ---- in process ---------------------------------------------------------------
@contextmanager
def _in_process(cost: int) -> Iterator[tuple[Call, Callable[[], None], str]]:
    from bench.inprocess import handler_with_account

    with handler_with_account(cost, username=USERNAME, email=EMAIL, signing=True) as (
        harness,
        account,
    ):
        yield harness.call, _bare_check(harness.pepper, cost), account.username


# ---- through the local stage ----------------------------------------------------
@contextmanager
def _through_local_stage(cost: int) -> Iterator[tuple[Call, Callable[[], None], str]]:
    from bench.localstage import stage_with_account

    with (
        stage_with_account(cost=cost, username=USERNAME, email=EMAIL) as (stage, pepper, account),
        over_http(stage.api_url) as call,
    ):
        yield call, _bare_check(pepper, cost), account.username


# ---- report -------------------------------------------------------------------
def render(results: list[Timings], cost: int, samples: int) -> str:
    """The markdown section."""
    from bench import cost as prices

    lines = [
        "## Signing in",
        "",
        f"bcrypt cost {cost}; {samples} successful sign-ins and {samples} bare bcrypt checks,"
        f" then {samples} wrong-password and {samples} unknown-login attempts interleaved at"
        " random, per row.",
        "",
        "| where | bare bcrypt p50 | sign-in p50 | ratio | wrong-password p50 |"
        " unknown-login p50 | ROC AUC |",
        "|---|---|---|---|---|---|---|",
    ]
    for t in results:
        lines.append(
            f"| {t.where} | {percentile(t.bare, 50) * 1000:.1f} ms"
            f" | {percentile(t.sign_in, 50) * 1000:.1f} ms | {t.ratio():.2f}"
            f" | {percentile(t.wrong_password, 50) * 1000:.1f} ms"
            f" | {percentile(t.unknown_login, 50) * 1000:.1f} ms | {t.auc():.3f} |"
        )
    in_process = next((t for t in results if t.units is not None), None)
    if in_process is not None and in_process.units is not None:
        units = prices.RequestUnits(*in_process.units)
        p50_ms = percentile(in_process.sign_in, 50) * 1000
        lines += ["", *prices.render_sign_in_costs(p50_ms, units)]
    return "\n".join(lines) + "\n"


def run(cost: int, samples: int, *, stage: bool) -> str:
    """Measure everything asked for and return the markdown section."""
    results = []
    with _in_process(cost) as (call, bare, login):
        in_process = measure(
            Timings("in process (moto, KMS on moto)"), call, bare, samples=samples, login=login
        )
        in_process.units = _units_of_one(call, login)
        results.append(in_process)
    if stage:
        with _through_local_stage(cost) as (call, bare, login):
            results.append(
                measure(Timings("local stage (HTTP)"), call, bare, samples=samples, login=login)
            )
    return render(results, cost, samples)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bench.sign_in`."""
    return section.main("python -m bench.sign_in", __doc__, run, minimum_samples=100, argv=argv)


if __name__ == "__main__":
    sys.exit(main())


__all__: list[Any] = ["main", "run"]
