"""Waits in words: what a person reads instead of a count of seconds."""

from __future__ import annotations

import pytest

from signup_web.notices import wait_in_words


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "now"),
        (-3, "now"),
        (0.2, "in 1 second"),
        (1, "in 1 second"),
        (45, "in 45 seconds"),
        (59.5, "in about 1 minute"),
        (60, "in about 1 minute"),
        (61, "in about 2 minutes"),
        (900, "in about 15 minutes"),
        (3599, "in about 60 minutes"),
        (3600, "in about 1 hour"),
        (5400, "in about 2 hours"),
    ],
)
def test_wait_in_words_never_promises_less_than_the_wait(seconds: float, words: str) -> None:
    assert wait_in_words(seconds) == words
