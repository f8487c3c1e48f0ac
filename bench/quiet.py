"""The handler's log lines kept out of a bench's own output."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def handler_logs_discarded() -> Iterator[None]:
    """Send stdout to /dev/null inside the block.

    The handler logs one JSON line per request to stdout, as on Lambda: writing them stays
    in the measurement, but a bench's stdout carries only its results. Powertools binds its
    handler to the sys.stdout of the moment the logger is made, so the handler must be
    created inside the block.
    """
    out = sys.stdout
    with open(os.devnull, "w") as devnull:
        sys.stdout = devnull
        try:
            yield
        finally:
            sys.stdout = out
