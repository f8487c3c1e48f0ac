"""Rate limits: LIMIT requests per fixed window of SECONDS (counted by store/counters.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

_SPEC: Final = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True, slots=True)
class RateLimit:
    """LIMIT requests per SECONDS, written `LIMIT/SECONDS` (e.g. `30/60`)."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """`30/60` -> RateLimit(30, 60); ValueError for anything else (or a zero)."""
        found = _SPEC.match(text)
        if not found or int(found.group(1)) < 1 or int(found.group(2)) < 1:
            raise ValueError(f"{text!r} is not LIMIT/SECONDS with both at least 1")
        return cls(int(found.group(1)), int(found.group(2)))

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds}"


# Sign-up and resend attempts per identifier across every client (a flood
# ceiling above the per-client limit), and the mails one client address may
# cause: the function's defaults, and the stack keys' when a stack sets none.
DEFAULT_RATE_LIMIT_PER_IDENTIFIER_GLOBAL: Final = RateLimit(50, 3600)
DEFAULT_RATE_LIMIT_MAILS_PER_ADDRESS: Final = RateLimit(200, 86400)
