"""Password reset, measured: the forgot-password answer-time AUC, and the cost per million.

`python -m bench.reset [--cost N] [--samples N] [--no-local-stage]` prints a
markdown section (also appended to `make bench`'s report):

- in process (the real handler on moto) and through the local stage over
  HTTP (its mail worker running): the ROC AUC of POST /forgotPassword answer
  times, a verified owner's address against unknown ones, from interleaved
  samples (0.5: the times tell nothing; the issue asks for [0.35, 0.65]);
- the p50 of a forgot-password request and of a reset (one bcrypt), and
  dollars per million resets (bench/cost.py).

The limits are counted (their writes are part of every figure) but set far
above what the run sends from its one address.
"""

from __future__ import annotations

import random
import secrets
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from bench import section
from bench.calls import Call, over_http, timed
from bench.stats import percentile, roc_auc

# The bench's own account: its owner's address is timed against unknown ones.
USERNAME: Final = "BenchUser"
OWNER: Final = "bench@example.com"
NEW_PASSWORD: Final = "quiet amber orchard telescope"  # noqa: S105 - the bench's own account


@dataclass
class Timings:
    """One place's forgot-password samples, in seconds."""

    where: str
    owner: list[float] = field(default_factory=list)
    unknown: list[float] = field(default_factory=list)
    reset: list[float] = field(default_factory=list)

    def auc(self) -> float:
        """ROC AUC of the owner's answer times against unknown addresses'."""
        return roc_auc(self.owner, self.unknown)


def measure(timings: Timings, call: Call, *, samples: int) -> Timings:
    """Owner and unknown addresses interleaved at random, after a warm-up of both."""
    from contract.routes import FORGOT_PASSWORD

    for _ in range(3):
        call(FORGOT_PASSWORD.path, {"email": OWNER})
        call(FORGOT_PASSWORD.path, {"email": f"warm-{secrets.token_hex(4)}@example.com"})
    order = ["owner"] * samples + ["unknown"] * samples
    random.shuffle(order)  # interleaved at random: drift hits both alike
    for kind in order:
        email = OWNER if kind == "owner" else f"nobody-{secrets.token_hex(4)}@example.com"
        if kind == "unknown":
            # The owner's rate-limit counters exist from the requests before; an unknown
            # address's would be created by the timed one, which alone tells them apart (a
            # sign of recent requests, not of an account: SECURITY.md). Asked once first,
            # both have the same history, and only the account is left to tell.
            call(FORGOT_PASSWORD.path, {"email": email})
        took = timed(call, FORGOT_PASSWORD.path, {"email": email}, 202)
        (timings.owner if kind == "owner" else timings.unknown).append(took)
    return timings


def measure_resets(timings: Timings, call: Call, tokens: Callable[[], list[str]]) -> Timings:
    """Time POST /resetPassword with every link mailed so far (only the newest works)."""
    from contract.routes import RESET_PASSWORD

    for token in tokens()[-1:]:
        body = {"token": token, "password": NEW_PASSWORD}
        timings.reset.append(timed(call, RESET_PASSWORD.path, body, 204))
    return timings


def _mailed_tokens(outbox: Path) -> list[str]:
    """The tokens of the reset links mailed to OWNER in a local outbox, oldest first."""
    from tests.support.mailbox import read_outbox, reset_token_in

    found = [reset_token_in(m) for m in read_outbox(outbox) if m["To"] == OWNER]
    return [token for token in found if token]


@contextmanager
def _in_process(cost: int) -> Iterator[tuple[Call, Callable[[], list[str]]]]:
    from bench.inprocess import handler_with_account

    with handler_with_account(cost, username=USERNAME, email=OWNER) as (harness, _):

        def tokens() -> list[str]:
            harness.deliver()  # the mails the requests queued
            return _mailed_tokens(harness.outbox)

        yield harness.call, tokens


@contextmanager
def _through_local_stage(cost: int) -> Iterator[tuple[Call, Callable[[], list[str]]]]:
    from bench.localstage import stage_with_account
    from infra.local.stage import MAIL_DIR
    from tests.support.stage import outbox_settled

    with (
        stage_with_account(cost=cost, username=USERNAME, email=OWNER) as (stage, _, _),
        over_http(stage.api_url) as call,
    ):

        def tokens() -> list[str]:
            outbox_settled(stage, timeout=120)  # the stage's worker has sent what was queued
            return _mailed_tokens(stage.data_dir / MAIL_DIR)

        yield call, tokens


def render(results: list[Timings], cost: int, samples: int) -> str:
    """The markdown section."""
    from bench import cost as prices

    lines = [
        "## Password reset",
        "",
        f"bcrypt cost {cost}; {samples} POST /forgotPassword for a verified owner's address and"
        f" {samples} for unknown addresses, interleaved at random, per row; then one reset.",
        "",
        "| where | owner p50 | unknown p50 | ROC AUC | reset p50 |",
        "|---|---|---|---|---|",
    ]
    for t in results:
        reset = f"{percentile(t.reset, 50) * 1000:.1f} ms" if t.reset else "n/a"
        lines.append(
            f"| {t.where} | {percentile(t.owner, 50) * 1000:.1f} ms"
            f" | {percentile(t.unknown, 50) * 1000:.1f} ms | {t.auc():.3f} | {reset} |"
        )
    in_process = next((t for t in results if t.where.startswith("in process")), None)
    if in_process is not None and in_process.reset:
        forgot_ms = percentile(in_process.owner + in_process.unknown, 50) * 1000
        reset_ms = percentile(in_process.reset, 50) * 1000
        lines += ["", *prices.render_reset_costs(forgot_ms, reset_ms)]
    return "\n".join(lines) + "\n"


def run(cost: int, samples: int, *, stage: bool) -> str:
    """Measure everything asked for and return the markdown section."""
    results = []
    with _in_process(cost) as (call, tokens):
        timings = measure(Timings("in process (moto)"), call, samples=samples)
        results.append(measure_resets(timings, call, tokens))
    if stage:
        with _through_local_stage(cost) as (call, tokens):
            timings = measure(Timings("local stage (HTTP)"), call, samples=samples)
            results.append(measure_resets(timings, call, tokens))
    return render(results, cost, samples)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bench.reset`."""
    return section.main("python -m bench.reset", __doc__, run, minimum_samples=60, argv=argv)


if __name__ == "__main__":
    sys.exit(main())
