"""Start the local stage (`python -m infra.local`) as a black box for tests.

Any suite can use `local_stage` (one stage per session) or `start_local_stage`
(a factory: fresh stages, restarts, custom environment). Every stage binds
127.0.0.1 on free ports, keeps its data in a temporary directory and is
stopped at teardown, also when the test failed.
Set LOCAL_STAGE_HANDLER=module:function to run another handler.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from infra.local.stage import REPO_ROOT
from infra.local.supervisor import Supervisor

_API_LINE = re.compile(r"^API: (http://127\.0\.0\.1:\d+)$", re.MULTILINE)
_DDB_LINE = re.compile(r"^DynamoDB Local: (http://127\.0\.0\.1:\d+) ", re.MULTILINE)
# Cheap hashing keeps the suites fast; throughput tests override it.
TEST_ENVIRONMENT = {"BCRYPT_COST": "4"}
STARTUP_TIMEOUT = 90.0


@dataclass
class LocalStageProcess:
    """One `python -m infra.local` process; `start()` again after `stop()` restarts it."""

    data_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    extra_args: tuple[str, ...] = ()
    api_url: str = ""
    dynamodb_endpoint: str = ""
    # Generous grace: the stage itself waits up to 5 s for DynamoDB Local to stop.
    _supervisor: Supervisor = field(default_factory=lambda: Supervisor(grace_seconds=15))

    @property
    def log_file(self) -> Path:
        """The stage's combined stdout and stderr, kept for post-mortems."""
        return self.data_dir.with_name(self.data_dir.name + ".log")

    def start(self) -> str:
        """Start the stage and return its API URL once it accepts requests."""
        argv = [sys.executable, "-m", "infra.local", "--api-port", "0", "--dynamodb-port", "0"]
        argv += ["--data-dir", str(self.data_dir), "--no-web", *self.extra_args]
        if handler := os.environ.get("LOCAL_STAGE_HANDLER"):
            argv += ["--handler", handler]
        env = {**os.environ, **TEST_ENVIRONMENT, **self.env}
        offset = self.log_file.stat().st_size if self.log_file.exists() else 0
        proc = self._supervisor.start(
            "local-stage", argv, env=env, cwd=REPO_ROOT, log_file=self.log_file
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            output = self._output(offset)
            if match := _API_LINE.search(output):
                self.api_url = match.group(1)
                ddb = _DDB_LINE.search(output)
                self.dynamodb_endpoint = ddb.group(1) if ddb else ""
                return self.api_url
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"local stage did not start:\n{self._output(offset)[-4000:]}")

    def stop(self) -> None:
        """SIGTERM the stage (it stops DynamoDB Local itself); SIGKILL after a grace period."""
        self._supervisor.stop()
        self.api_url = ""

    def _output(self, offset: int) -> str:
        with self.log_file.open("rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", "replace")


StageFactory = Callable[..., LocalStageProcess]


@pytest.fixture(scope="session")
def local_stage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStageProcess]:
    """One local stage for the whole session, on free ports with a temporary data dir."""
    stage = LocalStageProcess(tmp_path_factory.mktemp("local-stage") / "data")
    try:
        stage.start()
        yield stage
    finally:
        stage.stop()


@pytest.fixture
def start_local_stage(tmp_path: Path) -> Iterator[StageFactory]:
    """A factory for stages private to one test; all are stopped at teardown."""
    stages: list[LocalStageProcess] = []

    def start(
        *, env: dict[str, str] | None = None, args: tuple[str, ...] = ()
    ) -> LocalStageProcess:
        stage = LocalStageProcess(tmp_path / f"stage{len(stages)}", env or {}, args)
        stages.append(stage)
        stage.start()
        return stage

    try:
        yield start
    finally:
        for stage in stages:
            stage.stop()
