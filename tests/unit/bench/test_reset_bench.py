"""The password-reset bench: its cost arithmetic and its section's shape, never timings."""

from __future__ import annotations

import pytest

from bench import cost
from bench.reset import Timings, render

pytestmark = pytest.mark.bench


def test_reset_cost_per_million_hand_computed_example() -> None:
    # 1769 MB is one full vCPU: a 10 ms forgot-password and a 300 ms reset are
    # billed as measured; three worker invocations of 10 ms each: 340 ms at
    # 1769/1024 GB.
    stack = cost.StackConfig("prod", 1769, 12, "arm64", "us-east-1")
    result = cost.reset_cost_per_million(stack, forgot_ms=10, reset_ms=300)
    gb_seconds = 0.340 * 1769 / 1024
    assert result.lambda_cost == pytest.approx(1e6 * (gb_seconds * 0.0000133334 + 5 * 0.2e-6))
    assert result.http_api == pytest.approx(2.00)  # two API requests
    assert result.dynamodb == pytest.approx(27 * 0.625 + 7 * 0.125)
    assert result.ses == pytest.approx(200.0)  # the link and the notice
    assert result.total == pytest.approx(
        result.lambda_cost + result.http_api + result.dynamodb + result.ses
    )


def test_reset_section_reports_the_auc_and_the_cost_table() -> None:
    timings = Timings("in process (moto)", owner=[0.010, 0.012], unknown=[0.011, 0.013])
    timings.reset.append(0.3)
    text = render([timings], cost=4, samples=2)
    assert text.startswith("## Password reset")
    assert "| in process (moto) | 10.0 ms | 11.0 ms | 0.250 | 300.0 ms |" in text
    assert "Cost per million password resets" in text
