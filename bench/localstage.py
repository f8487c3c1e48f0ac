"""Run the local stage (`python -m infra.local`) as a child for the length of a `with` block."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Final

_API_LINE: Final = re.compile(r"^API: (http://\S+)$", re.MULTILINE)
_STOP_GRACE_SECONDS: Final = 20.0


class LocalStageUnavailable(RuntimeError):
    """The local stage is not on this branch, not installed, or did not come up."""


@contextlib.contextmanager
def local_stage(*, cost: int, cwd: Path, timeout: float = 120.0) -> Iterator[str]:
    """Start the local stage with BCRYPT_COST=`cost` and a throw-away data dir; yield its API URL.

    The child leads its own process group and is stopped as a group on the way
    out, error or not; it stops DynamoDB Local itself (and the kernel kills java
    if the child dies first: the stage's supervisor sets PDEATHSIG).
    """
    if importlib.util.find_spec("infra.local") is None:
        raise LocalStageUnavailable("infra.local is not on this branch yet")
    with tempfile.TemporaryDirectory(prefix="bench-stage-") as tmp:
        out_path, err_path = Path(tmp) / "stage.out", Path(tmp) / "stage.err"
        argv = [sys.executable, "-m", "infra.local", "--api-port", "0", "--dynamodb-port", "0"]
        argv += ["--data-dir", str(Path(tmp) / "data"), "--no-web"]
        # Output goes to files, not pipes: the handler logs a line per request,
        # and a pipe nobody drains would block the server after 64 KB.
        with out_path.open("wb") as out, err_path.open("wb") as err:
            proc = subprocess.Popen(
                argv,
                cwd=cwd,
                env={**os.environ, "BCRYPT_COST": str(cost)},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )
        try:
            yield _wait_for_api(proc, out_path, err_path, timeout)
        finally:
            _stop(proc)


def _wait_for_api(proc: subprocess.Popen[bytes], out: Path, err: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if match := _API_LINE.search(out.read_text("utf-8", errors="replace")):
            return match.group(1)
        if proc.poll() is not None:
            tail = err.read_text("utf-8", errors="replace").strip().splitlines()[-3:]
            raise LocalStageUnavailable(f"exited with {proc.returncode}: {' / '.join(tail)}")
        time.sleep(0.2)
    raise LocalStageUnavailable(f"no API line within {timeout:.0f} s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    # SIGTERM first: the stage's handler stops DynamoDB Local cleanly.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=_STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
