"""A request as the benches make it, in process or over HTTP: a JSON body POSTed to a route path,
the status code back; one such request timed; and the Call that makes it over HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# POST one JSON body to a route path; the function's status code comes back.
Call = Callable[[str, dict[str, str]], int]


def timed(call: Call, path: str, body: dict[str, str], expected: int) -> float:
    """The seconds `call` took to answer `body` at `path`; RuntimeError unless it answered
    `expected` (a sample of a wrong answer would time something else)."""
    started = time.perf_counter()
    status = call(path, body)
    elapsed = time.perf_counter() - started
    if status != expected:
        raise RuntimeError(f"{path} answered {status}, expected {expected}")
    return elapsed


@contextmanager
def over_http(url: str) -> Iterator[Call]:
    """A Call to the API at `url` (the local stage's), over one client's kept-alive connections."""
    import httpx

    with httpx.Client(base_url=url, timeout=60) as client:

        def call(path: str, body: dict[str, str]) -> int:
            return client.post(path, json=body).status_code

        yield call
