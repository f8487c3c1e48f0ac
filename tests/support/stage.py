"""Local stages for the suites: cheap hashing, free ports, and a view of their table."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import httpx

from contract.environment import (
    BCRYPT_COST,
    RATE_LIMIT_MAILS_PER_ADDRESS,
    RATE_LIMIT_PER_ADDRESS,
    RATE_LIMIT_PER_IDENTIFIER,
    RATE_LIMIT_PER_IDENTIFIER_GLOBAL,
)
from contract.routes import CREATE_USER
from contract.table_keys import OUTBOX_PREFIX
from infra.local import dynamodb_local
from infra.local.stage import StageOptions
from tests.support.integrity import is_bookkeeping
from tests.support.stage_process import LocalStageProcess, running_stage

# Cheap hashing keeps the suites fast; the limits are far above what a suite
# sends from its one address (the tests of the limits start their own stage).
TEST_ENVIRONMENT: Final = {
    BCRYPT_COST: "4",
    RATE_LIMIT_PER_ADDRESS: "100000/60",
    RATE_LIMIT_PER_IDENTIFIER: "100000/60",
    RATE_LIMIT_PER_IDENTIFIER_GLOBAL: "100000/60",
    RATE_LIMIT_MAILS_PER_ADDRESS: "100000/60",
}
# How long the stage's mail worker may take to empty the outbox.
SETTLE_SECONDS: Final = 20.0
TABLE: Final = StageOptions().table_name
REGION: Final = StageOptions().region


def stage_args(args: tuple[str, ...] = ()) -> tuple[str, ...]:
    """`args`, plus `--handler` when LOCAL_STAGE_HANDLER names another module:function."""
    if handler := os.environ.get("LOCAL_STAGE_HANDLER"):
        return (*args, "--handler", handler)
    return args


def suite_stage(
    data_dir: Path, env: dict[str, str] | None = None, args: tuple[str, ...] = ()
) -> LocalStageProcess:
    """A stage (not yet started) with the suites' settings."""
    return LocalStageProcess(data_dir, {**TEST_ENVIRONMENT, **(env or {})}, stage_args(args))


@contextmanager
def suite_stage_running(data_dir: Path) -> Iterator[LocalStageProcess]:
    """A started stage with the suites' settings, stopped on exit even after a failure."""
    with running_stage(data_dir, env=dict(TEST_ENVIRONMENT), extra_args=stage_args()) as stage:
        yield stage


def table_items(
    stage: LocalStageProcess, *, bookkeeping: bool = False
) -> dict[str, dict[str, Any]]:
    """The stage's users and claims and links by partition key (DynamoDB Local is small);
    with `bookkeeping`, rate-limit counters and idempotency records too."""
    ddb = dynamodb_local.client(stage.dynamodb_endpoint, REGION)
    items: dict[str, dict[str, Any]] = {}
    for page in ddb.get_paginator("scan").paginate(TableName=TABLE, ConsistentRead=True):
        for item in page["Items"]:
            if bookkeeping or not is_bookkeeping(item["pk"]["S"]):
                items[item["pk"]["S"]] = item
    return items


def outbox_settled(stage: LocalStageProcess, *, timeout: float = SETTLE_SECONDS) -> None:
    """Wait until the stage's mail worker has acted on every outbox item (mails are sent
    off the request path); AssertionError if it has not within `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        items = table_items(stage, bookkeeping=True)
        if not any(pk.startswith(OUTBOX_PREFIX) for pk in items):
            return
        time.sleep(0.05)
    raise AssertionError(f"the mail worker left items in the outbox for {timeout:.0f} s")


def post_all_at_once(
    url: str, bodies: list[dict[str, str]], path: str = CREATE_USER.path
) -> list[httpx.Response]:
    """POST every body concurrently, all released by one barrier to maximise the race."""
    barrier = threading.Barrier(len(bodies))

    def send(body: dict[str, str]) -> httpx.Response:
        with httpx.Client(timeout=60.0) as client:
            barrier.wait()
            return client.post(f"{url}{path}", json=body)

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(send, bodies))


StageFactory = Callable[..., LocalStageProcess]
