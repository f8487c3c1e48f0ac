"""Run the local stage for the length of a `with` block, at the bcrypt cost being measured."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from contract.environment import (
    BCRYPT_COST,
    RATE_LIMIT_MAILS_PER_ADDRESS,
    RATE_LIMIT_PER_ADDRESS,
    RATE_LIMIT_PER_IDENTIFIER,
    RATE_LIMIT_PER_IDENTIFIER_GLOBAL,
)
from infra.local.stage import MAIL_DIR
from tests.support.stage_process import LocalStageProcess, running_stage


def _environment(cost: int) -> dict[str, str]:
    # The limits are counted (their cost is part of every figure) but never
    # reached: the benchmark sends thousands of sign-ups from one address.
    return {
        BCRYPT_COST: str(cost),
        RATE_LIMIT_PER_ADDRESS: "1000000/60",
        RATE_LIMIT_PER_IDENTIFIER: "1000000/3600",
        RATE_LIMIT_PER_IDENTIFIER_GLOBAL: "1000000/3600",
        RATE_LIMIT_MAILS_PER_ADDRESS: "1000000/86400",
    }


@contextlib.contextmanager
def local_stage(*, cost: int) -> Iterator[tuple[str, Path]]:
    """The local stage at BCRYPT_COST=`cost` over a throw-away data dir.

    Yields its API URL and its mail outbox (where the links are).
    """
    with (
        tempfile.TemporaryDirectory(prefix="bench-stage-") as tmp,
        running_stage(Path(tmp) / "data", env=_environment(cost)) as stage,
    ):
        yield stage.api_url, stage.data_dir / MAIL_DIR


@contextlib.contextmanager
def stage_at(*, cost: int) -> Iterator[LocalStageProcess]:
    """As `local_stage`, yielding the stage itself (its API URL, data dir, DynamoDB endpoint)."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-stage-") as tmp,
        running_stage(Path(tmp) / "data", env=_environment(cost)) as stage,
    ):
        yield stage
