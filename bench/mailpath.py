"""How long the mail worker takes, from a sign-up's answer to its `.eml` in the local outbox.

The outbox names each file `<time_ns>-<id>.eml` when it writes it; the time
of the answer is taken on the same clock as the client receives it.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

import httpx

from bench.latency import signup_body
from contract.routes import CREATE_USER


def _written_at(outbox: Path, address: str, *, wait: float) -> float:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        for path in outbox.glob("[!.]*.eml"):  # not a file still being written
            if address in path.read_text("utf-8", "replace"):
                return int(path.name.split("-", 1)[0]) / 1e9
        time.sleep(0.005)
    raise RuntimeError(f"no mail for {address} within {wait:.0f} s")


def measure_http(url: str, outbox: Path, *, requests: int) -> list[float]:
    """Seconds from each sign-up's answer to its mail's file, `requests` sign-ups in turn."""
    tag = secrets.token_hex(3)
    delays: list[float] = []
    with httpx.Client(base_url=url, timeout=60) as client:
        for index in range(requests):
            body = signup_body(f"{tag}m", index)
            if client.post(CREATE_USER.path, json=body).status_code != 200:
                raise RuntimeError("a sign-up failed")
            answered = time.time()
            delays.append(max(0.0, _written_at(outbox, body["email"], wait=30) - answered))
    return delays
