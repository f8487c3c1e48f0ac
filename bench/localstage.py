"""Run the local stage for the length of a `with` block, at the bcrypt cost being measured."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from bench.limits import NEVER_REACHED
from contract.environment import BCRYPT_COST
from infra.local.stage import MAIL_DIR
from tests.support.stage_process import LocalStageProcess, running_stage

if TYPE_CHECKING:
    from tests.support.accounts import Account


def _environment(cost: int) -> dict[str, str]:
    return {BCRYPT_COST: str(cost), **NEVER_REACHED}


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


@contextlib.contextmanager
def stage_with_account(
    *, cost: int, username: str, email: str
) -> Iterator[tuple[LocalStageProcess, str, Account]]:
    """As `stage_at`, with a verified account already in its table (the sign-in and reset
    benches time requests for it); yields the stage, its pepper and the account."""
    from infra.local import dynamodb_local
    from infra.local.secrets import load_or_create_pepper
    from infra.local.stage import StageOptions
    from tests.support.accounts import account_items

    with stage_at(cost=cost) as stage:
        pepper = load_or_create_pepper(stage.data_dir)
        account, items = account_items(username, email, pepper=pepper, cost=cost)
        table = dynamodb_local.client(stage.dynamodb_endpoint, StageOptions().region)
        for item in items:
            table.put_item(TableName=StageOptions().table_name, Item=item)
        yield stage, pepper, account
