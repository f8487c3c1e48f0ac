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


def roc_auc(first: Sequence[float], second: Sequence[float]) -> float:
    """The probability that a sample of `first` exceeds one of `second` (ties count half).

    The area under the ROC curve of a classifier that guesses the class from
    the value alone (Mann-Whitney U over n1 * n2): 0.5 when the two cannot be
    told apart, 0 or 1 when they never overlap.
    """
    if not first or not second:
        raise ValueError("roc_auc of no samples")
    ranked = sorted([(value, 0) for value in first] + [(value, 1) for value in second])
    # Average ranks (1-based) over ties, then U of `first` from its rank sum.
    ranks = [0.0] * len(ranked)
    start = 0
    while start < len(ranked):
        end = start
        while end + 1 < len(ranked) and ranked[end + 1][0] == ranked[start][0]:
            end += 1
        for index in range(start, end + 1):
            ranks[index] = (start + end) / 2 + 1
        start = end + 1
    rank_sum = sum(rank for rank, (_, group) in zip(ranks, ranked, strict=True) if group == 0)
    n1, n2 = len(first), len(second)
    return (rank_sum - n1 * (n1 + 1) / 2) / (n1 * n2)
