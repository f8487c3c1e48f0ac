"""Run the local stage for the length of a `with` block, at the bcrypt cost being measured."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from backend.config import BCRYPT_COST
from infra.local.process import running_stage
from infra.local.stage import MAIL_DIR


@contextlib.contextmanager
def local_stage(*, cost: int) -> Iterator[tuple[str, Path]]:
    """The local stage at BCRYPT_COST=`cost` over a throw-away data dir.

    Yields its API URL and its mail outbox (where the links are).
    """
    with (
        tempfile.TemporaryDirectory(prefix="bench-stage-") as tmp,
        running_stage(Path(tmp) / "data", env={BCRYPT_COST: str(cost)}) as stage,
    ):
        yield stage.api_url, stage.data_dir / MAIL_DIR
