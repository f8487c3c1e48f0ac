"""The Reflex web UI as a supervised child: `reflex run` in web/, pointed at an API."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import httpx

from infra.build.reflex import DEFAULT_BUN, WEB_DIR, WebAppError, web_environment
from infra.local.ports import NotReady, wait_until
from infra.local.supervisor import Supervisor

__all__ = ["DEFAULT_BUN", "WEB_DIR", "WebAppError", "start", "web_command", "web_environment"]

log = logging.getLogger(__name__)

DEFAULT_WEB_PORT: Final = 3000


def web_command(port: int, *, reload: bool) -> list[str]:
    """`reflex run` serving the built frontend and its backend on one 127.0.0.1 port.

    `prod` (not `dev`) because Reflex's dev server listens on every interface;
    `preview` is the same single-port build, rebuilt when a source file changes.
    """
    mode = "preview" if reload else "prod"
    ports = ["--frontend-port", str(port), "--backend-port", str(port)]
    return [sys.executable, "-m", "reflex", "run", "--env", mode, *ports]


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

    def serves() -> bool:
        try:
            return httpx.get(url, timeout=2.0).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_until(serves, proc=proc, what="the web UI", timeout=timeout, log_file=log_file)
    except NotReady as exc:
        raise WebAppError(str(exc)) from exc
