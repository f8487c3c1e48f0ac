"""Start child processes in their own process groups and stop every one of them."""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)

# prctl(PR_SET_PDEATHSIG): the kernel sends the child SIGKILL when we die, even
# by SIGKILL, so a crashed runner cannot leave a java process behind.
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


class Supervisor:
    """Owns a set of child processes; `stop()` terminates each whole process group.

    Each child leads its own group so that Ctrl-C in the terminal reaches only
    this process, which then stops the children in order, and so that killing
    the group also reaches grandchildren (a shell wrapper, bun under node, ...).
    """

    def __init__(self, *, grace_seconds: float = 5.0) -> None:
        self._children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self._lock = threading.Lock()
        self._grace = grace_seconds
        atexit.register(self.stop)

    def start(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        log_file: Path | None = None,
    ) -> subprocess.Popen[bytes]:
        """Start `argv` as a supervised child; its output goes to `log_file` (or DEVNULL)."""
        out = log_file.open("ab") if log_file else subprocess.DEVNULL
        try:
            # preexec_fn is documented as unsafe with threads; it only calls
            # prctl (no locks, no allocation in Python-land after fork).
            proc = subprocess.Popen(  # noqa: S603 (argv is built by this package)
                list(argv),
                env=env,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                process_group=0,
                preexec_fn=_die_with_parent,  # noqa: PLW1509
            )
        finally:
            if log_file and not isinstance(out, int):
                out.close()
        with self._lock:
            self._children.append((name, proc))
        log.info("started %s (pid %d)", name, proc.pid)
        return proc

    def exited(self) -> list[tuple[str, int]]:
        """Children that have exited on their own, with their return codes."""
        with self._lock:
            return [(n, p.returncode) for n, p in self._children if p.poll() is not None]

    def stop(self) -> None:
        """Stop children in reverse start order: SIGTERM to the group, then SIGKILL."""
        with self._lock:
            children, self._children = self._children, []
        for name, proc in reversed(children):
            _stop_group(name, proc, self._grace)


def _stop_group(name: str, proc: subprocess.Popen[bytes], grace: float) -> None:
    _signal_group(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        log.warning("%s did not stop within %.0f s; killing it", name, grace)
    # Always kill the group: the leader may have exited while members live on.
    _signal_group(proc.pid, signal.SIGKILL)
    proc.wait()
    log.info("stopped %s", name)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)
