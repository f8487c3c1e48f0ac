"""Order statistics for small samples: nearest-rank percentiles and medians of runs."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def percentile(samples: Sequence[float], p: float) -> float:
    """The nearest-rank p-th percentile: the smallest sample with at least p% of all at or below it.

    Nearest rank (rank = ceil(p/100 * n), 1-based) always returns a value that
    was actually observed, never an interpolation between two requests, and is
    defined for any n >= 1. With the 30 samples of a full run, p50 is the 15th
    smallest and p95 the 29th; with fewer than 20, p95 is the maximum.
    """
    if not samples:
        raise ValueError("percentile of no samples")
    if not 0 < p <= 100:
        raise ValueError("p must be in (0, 100]")
    ordered = sorted(samples)
    # p * n / 100 (not p / 100 * n): exact in floating point for integer p and n.
    rank = math.ceil(p * len(ordered) / 100)
    return ordered[rank - 1]


def median(samples: Sequence[float]) -> float:
    """The median of repeated runs (the mean of the middle two when n is even)."""
    if not samples:
        raise ValueError("median of no samples")
    return statistics.median(samples)
