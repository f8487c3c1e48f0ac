"""The local stage's ports: a taken one is refused by name, and one readiness loop."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from infra.local.ports import NotReady, PortBusy, ensure_free, holder_of, wait_until


@pytest.fixture
def held_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def test_ensure_free_names_the_port_its_holder_and_the_flag(held_port: int) -> None:
    with pytest.raises(PortBusy) as caught:
        ensure_free(held_port, "--api-port")
    message = str(caught.value)
    assert f"port {held_port}" in message
    assert f"pid {os.getpid()}" in message
    assert "`--api-port 0`" in message


def test_ensure_free_accepts_a_free_port_and_zero() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    ensure_free(port, "--api-port")
    ensure_free(0, "--api-port")


def test_holder_of_a_port_nobody_listens_on_is_unknown() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    assert holder_of(port) is None


def test_wait_until_returns_once_ready() -> None:
    answers = iter([False, False, True])
    wait_until(lambda: next(answers), proc=None, what="x", timeout=5, poll_seconds=0.01)


def test_wait_until_fails_fast_when_the_process_exits() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    proc.wait()
    with pytest.raises(NotReady, match=r"thing exited \(3\)"):
        wait_until(lambda: False, proc=proc, what="thing", timeout=30)


def test_wait_until_gives_up_after_its_timeout() -> None:
    with pytest.raises(NotReady, match="did not answer within"):
        wait_until(lambda: False, proc=None, what="thing", timeout=0.05, poll_seconds=0.01)
