"""Ports the local stage listens on: refused clearly when taken, and one wait-until-ready loop.

A stage must never talk to a process it did not start: a DynamoDB Local left
by another stage on the same port would answer, and this stage would read and
write the other one's table. So every port is checked before anything starts,
and the error names the port, who holds it (when /proc tells), and the flag
that picks a free one instead.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final

_LISTEN: Final = "0A"  # TCP_LISTEN in /proc/net/tcp's `st` column
_POLL_SECONDS: Final = 0.2
# Enough of a command line to recognise it (`java -jar ...DynamoDBLocal.jar`).
_COMMAND_CHARS: Final = 120


class PortBusy(RuntimeError):
    """A port the stage was told to use is already taken."""


class NotReady(RuntimeError):
    """A child process exited, or did not answer in time."""


def ensure_free(port: int, flag: str) -> None:
    """Raise PortBusy, saying who holds `port` and what to pass instead, unless it is free."""
    if port == 0 or _can_bind(port):
        return
    holder = holder_of(port)
    who = f" by {holder}" if holder else ""
    raise PortBusy(
        f"port {port} on 127.0.0.1 is already in use{who}; stop that process or pass "
        f"`{flag} 0` (any free port) or `{flag} <another port>`"
    )


def wait_until(
    ready: Callable[[], bool],
    *,
    proc: subprocess.Popen[bytes] | None,
    what: str,
    timeout: float,
    log_file: Path | None = None,
    exited: Callable[[], int | None] | None = None,
    poll_seconds: float = _POLL_SECONDS,
) -> None:
    """Poll `ready()` until it is true; raise NotReady when `proc` exits (or `exited()`
    returns a code) or time runs out. The one readiness loop of the local stage."""
    see = f"; see {log_file}" if log_file else ""
    gone = exited or (proc.poll if proc is not None else lambda: None)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (code := gone()) is not None:
            raise NotReady(f"{what} exited ({code}){see}")
        if ready():
            return
        time.sleep(poll_seconds)
    raise NotReady(f"{what} did not answer within {timeout:.0f} s{see}")


def port_open(port: int) -> bool:
    """True when something accepts connections on 127.0.0.1:`port`."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def holder_of(port: int) -> str | None:
    """`pid N (command)` of the process listening on `port`, when /proc can tell."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    for proc_dir in Path("/proc").iterdir():
        if not proc_dir.name.isdigit():
            continue
        try:
            sockets = {_link_target(link) for link in (proc_dir / "fd").iterdir()}
            if any(f"socket:[{inode}]" in sockets for inode in inodes):
                argv = (proc_dir / "cmdline").read_bytes().split(b"\0")
                command = " ".join(b" ".join(argv[:3]).decode(errors="replace").split())
                return f"pid {proc_dir.name} ({command[:_COMMAND_CHARS]})"
        except OSError:
            continue  # gone, or not ours to read
    return None


def _link_target(link: Path) -> str:
    try:
        return link.readlink().name
    except OSError:
        return ""  # closed while we looked (the listing's own descriptor, say)


def _can_bind(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _listening_inodes(port: int) -> set[str]:
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == _LISTEN and int(local.rsplit(":", 1)[1], 16) == port:
                found.add(inode)
    return found
