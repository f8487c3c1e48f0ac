"""The bench's record of DynamoDB calls: what a request waited for, overlaps counted once."""

from __future__ import annotations

import pytest

from bench.sdk_calls import Call, waiting_seconds

pytestmark = pytest.mark.bench


def _call(started: float, ended: float) -> Call:
    return Call("UpdateItem", {}, started, ended)


def test_overlapping_calls_count_once_and_gaps_not_at_all() -> None:
    # Three counters and a read at once (0-3), then a transaction (5-7): 5 s waited.
    calls = [_call(0, 2), _call(0.5, 3), _call(1, 2.5), _call(0, 1), _call(5, 7)]
    assert waiting_seconds(calls) == pytest.approx(5.0)


def test_a_call_inside_another_adds_nothing() -> None:
    assert waiting_seconds([_call(0, 10), _call(2, 3)]) == pytest.approx(10.0)


def test_no_calls_no_wait() -> None:
    assert waiting_seconds([]) == 0.0
