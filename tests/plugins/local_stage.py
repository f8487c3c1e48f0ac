"""Start the local stage (`python -m infra.local`) as a black box for tests.

Any suite can use `local_stage` (one stage per session) or `start_local_stage`
(a factory: fresh stages, restarts, custom environment). Every stage binds
127.0.0.1 on free ports, keeps its data in a temporary directory and is
stopped at teardown, also when the test failed.
Set LOCAL_STAGE_HANDLER=module:function to run another handler.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from infra.local.process import LocalStageProcess

# Cheap hashing keeps the suites fast.
TEST_ENVIRONMENT = {"BCRYPT_COST": "4"}

StageFactory = Callable[..., LocalStageProcess]


def suite_stage(
    data_dir: Path, env: dict[str, str] | None = None, args: tuple[str, ...] = ()
) -> LocalStageProcess:
    """A stage with the suites' settings: cheap hashing, and LOCAL_STAGE_HANDLER if set."""
    if handler := os.environ.get("LOCAL_STAGE_HANDLER"):
        args = (*args, "--handler", handler)
    return LocalStageProcess(data_dir, {**TEST_ENVIRONMENT, **(env or {})}, args)


@contextmanager
def running_stage(data_dir: Path) -> Iterator[LocalStageProcess]:
    """A test stage on free ports over `data_dir`, stopped on exit even after a failure."""
    stage = suite_stage(data_dir)
    try:
        stage.start()
        yield stage
    finally:
        stage.stop()


@pytest.fixture(scope="session")
def local_stage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStageProcess]:
    """One local stage for the whole session, on free ports with a temporary data dir."""
    with running_stage(tmp_path_factory.mktemp("local-stage") / "data") as stage:
        yield stage


@pytest.fixture
def start_local_stage(tmp_path: Path) -> Iterator[StageFactory]:
    """A factory for stages private to one test; all are stopped at teardown."""
    stages: list[LocalStageProcess] = []

    def start(
        *, env: dict[str, str] | None = None, args: tuple[str, ...] = ()
    ) -> LocalStageProcess:
        stage = suite_stage(tmp_path / f"stage{len(stages)}", env, args)
        stages.append(stage)
        stage.start()
        return stage

    try:
        yield start
    finally:
        for stage in stages:
            stage.stop()
