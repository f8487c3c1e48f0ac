"""The physical limits every figure is divided by: one bare bcrypt hash, and the machine's rate."""

from __future__ import annotations

import base64
import os
import secrets
import threading
import time
from typing import Final

import bcrypt

# The service hashes base64(HMAC-SHA384(pepper, password)): always 64 bytes.
# The baseline hashes an input of exactly that length, so the only difference
# between it and a request is everything the service does besides bcrypt.
INPUT_BYTES: Final = 64


def bcrypt_input() -> bytes:
    """A fresh 64-byte input shaped like the service's pre-hash."""
    return base64.b64encode(secrets.token_bytes(48))


def bare_hash_seconds(cost: int) -> float:
    """Seconds for one `bcrypt.hashpw(64-byte input, gensalt(cost))`, salt generation included."""
    password = bcrypt_input()
    started = time.perf_counter()
    bcrypt.hashpw(password, bcrypt.gensalt(rounds=cost))
    return time.perf_counter() - started


def core_count() -> int:
    """Cores this process may run on (the affinity mask, which a container may narrow)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def bcrypt_limit(cost: int, *, threads: int, hashes_per_thread: int) -> float:
    """Hashes per second with `threads` threads hashing flat out: the machine's sign-up ceiling.

    Threads, not processes, because the local stage serves requests on threads
    in one process; bcrypt releases the GIL while it hashes, so both scale with
    cores the same way.
    """
    start = threading.Barrier(threads + 1)

    def work() -> None:
        password = bcrypt_input()
        start.wait()
        for _ in range(hashes_per_thread):
            bcrypt.hashpw(password, bcrypt.gensalt(rounds=cost))

    workers = [threading.Thread(target=work, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    start.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    return threads * hashes_per_thread / (time.perf_counter() - started)
