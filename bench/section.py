"""The command line shared by the benchmarks `make bench` runs as sections (bench.sign_in,
bench.reset): the same options, the handler's log lines kept out of the printed section."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Protocol

from bench.quiet import handler_logs_discarded


class Run(Protocol):
    """A section's measurement: its markdown."""

    def __call__(self, cost: int, samples: int, *, stage: bool) -> str:
        """Measure at bcrypt `cost`, `samples` per kind, through the local stage too if `stage`."""
        ...


def main(
    prog: str,
    description: str | None,
    run: Run,
    *,
    minimum_samples: int,
    argv: Sequence[str] | None = None,
) -> int:
    """Parse `--cost`, `--samples`, `--no-local-stage`; print what `run` returns."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--cost", type=int, default=12, help="bcrypt cost (prod's is 12)")
    parser.add_argument(
        "--samples", type=int, default=100, help=f"samples per kind (>= {minimum_samples})"
    )
    parser.add_argument("--no-local-stage", action="store_true")
    args = parser.parse_args(argv)
    with handler_logs_discarded():
        text = run(args.cost, args.samples, stage=not args.no_local_stage)
    print(text)
    return 0
