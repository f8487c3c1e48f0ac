"""The password blocklist: a shipped list of common passwords, plus keyboard patterns."""

from __future__ import annotations

import itertools
from functools import cache
from importlib.resources import files
from typing import Final

# Share of neighbouring characters that repeat or step by one code point
# ("aaaa", "abcd", "4321") above which a password is a keyboard pattern.
_MAX_PATTERN_SHARE: Final = 0.8


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list (see common_passwords.txt for its source and licence), case-folded."""
    text = files("contract.rules").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def _is_pattern(password: str) -> bool:
    steps = [abs(ord(b) - ord(a)) <= 1 for a, b in itertools.pairwise(password)]
    return not steps or sum(steps) >= _MAX_PATTERN_SHARE * len(steps)


def is_common_password(password: str) -> bool:
    """True for a listed password (case-insensitive) or a repetitive/sequential one."""
    folded = password.casefold()
    return folded in common_passwords() or _is_pattern(folded)
