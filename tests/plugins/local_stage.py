"""Local-stage fixtures (`python -m infra.local` as a black box), for any suite.

`local_stage` is one stage per session; `start_local_stage` is a factory for
stages private to one test (fresh data, restarts, a custom environment).
Every stage binds 127.0.0.1 on free ports, keeps its data in a temporary
directory and is stopped at teardown, also when the test failed. Set
LOCAL_STAGE_HANDLER=module:function to run another handler.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.stage import StageFactory, suite_stage, suite_stage_running
from tests.support.stage_process import LocalStageProcess


@pytest.fixture(scope="session")
def local_stage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStageProcess]:
    """One local stage for the whole session, on free ports with a temporary data dir."""
    with suite_stage_running(tmp_path_factory.mktemp("local-stage") / "data") as stage:
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
