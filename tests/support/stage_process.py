"""Run the local stage (`python -m infra.local`) as a child process: tests and benchmarks."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from infra.local.ports import NotReady, wait_until
from infra.local.stage import REPO_ROOT
from infra.local.supervisor import Supervisor


class LocalStageUnavailable(RuntimeError):
    """The local stage exited or printed no API line in time."""


_API_LINE = re.compile(r"^API: (http://127\.0\.0\.1:\d+)$", re.MULTILINE)
_DDB_LINE = re.compile(r"^DynamoDB Local: (http://127\.0\.0\.1:\d+) ", re.MULTILINE)
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
        env = {**os.environ, **self.env}
        offset = self.log_file.stat().st_size if self.log_file.exists() else 0
        proc = self._supervisor.start(
            "local-stage", argv, env=env, cwd=REPO_ROOT, log_file=self.log_file
        )

        def announced() -> bool:
            output = self._output(offset)
            if match := _API_LINE.search(output):
                self.api_url = match.group(1)
                ddb = _DDB_LINE.search(output)
                self.dynamodb_endpoint = ddb.group(1) if ddb else ""
                return True
            return False

        try:
            wait_until(
                announced,
                proc=proc,
                what="the local stage",
                timeout=STARTUP_TIMEOUT,
                poll_seconds=0.1,
            )
        except NotReady as exc:
            self.stop()
            output = self._output(offset)[-4000:]
            raise LocalStageUnavailable(f"local stage did not start ({exc}):\n{output}") from exc
        return self.api_url

    def stop(self) -> None:
        """SIGTERM the stage (it stops DynamoDB Local itself); SIGKILL after a grace period."""
        self._supervisor.stop()
        self.api_url = ""

    def _output(self, offset: int) -> str:
        with self.log_file.open("rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", "replace")


@contextmanager
def running_stage(
    data_dir: Path, *, env: dict[str, str] | None = None, extra_args: tuple[str, ...] = ()
) -> Iterator[LocalStageProcess]:
    """A local stage on free ports over `data_dir`, stopped on exit even after a failure."""
    stage = LocalStageProcess(data_dir, env or {}, extra_args)
    try:
        stage.start()
        yield stage
    finally:
        stage.stop()
