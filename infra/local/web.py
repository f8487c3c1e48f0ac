"""The Reflex web UI as a supervised child: `reflex run` in web/, pointed at an API."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import httpx

from infra.local.supervisor import Supervisor

log = logging.getLogger(__name__)

_REPO_ROOT: Final = Path(__file__).resolve().parents[2]
WEB_DIR: Final = _REPO_ROOT / "web"
# Where make installs the pinned bun (Reflex's JS runtime): see the Makefile.
DEFAULT_BUN: Final = _REPO_ROOT / ".tools/bun/node_modules/@oven/bun-linux-x64/bin/bun"
DEFAULT_WEB_PORT: Final = 3000


class WebAppError(RuntimeError):
    """The web UI is missing its toolchain, did not start, or exited."""


def web_command(port: int, *, reload: bool) -> list[str]:
    """`reflex run` serving the built frontend and its backend on one 127.0.0.1 port.

    `prod` (not `dev`) because Reflex's dev server listens on every interface;
    `preview` is the same single-port build, rebuilt when a source file changes.
    """
    mode = "preview" if reload else "prod"
    ports = ["--frontend-port", str(port), "--backend-port", str(port)]
    return [sys.executable, "-m", "reflex", "run", "--env", mode, *ports]


def web_environment(
    api_url: str, bun: Path, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The child's environment: which API to call, which bun to use, nothing phoned home."""
    if not bun.is_file():
        raise WebAppError(f"bun is not installed at {bun}; `make dev` or `make web` installs it")
    return {
        **(os.environ if base is None else base),
        "API_URL": api_url,
        "REFLEX_BUN_PATH": str(bun.resolve()),
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
    }


def start(
    supervisor: Supervisor,
    *,
    api_url: str,
    port: int,
    log_file: Path,
    bun: Path = DEFAULT_BUN,
    reload: bool = False,
    env: Mapping[str, str] | None = None,
    timeout: float = 300.0,
) -> str:
    """Start the web UI; return its URL once the page is served (a first build takes a while)."""
    proc = supervisor.start(
        "web",
        web_command(port, reload=reload),
        env=web_environment(api_url, bun, env),
        cwd=WEB_DIR,
        log_file=log_file,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_ready(url, proc, log_file, timeout=timeout)
    return url


def wait_until_ready(
    url: str, proc: subprocess.Popen[bytes], log_file: Path, *, timeout: float
) -> None:
    """Poll the page until it answers 200; fail early if the process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise WebAppError(f"the web UI exited ({proc.returncode}); see {log_file}")
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise WebAppError(f"the web UI did not answer within {timeout:.0f} s; see {log_file}")
