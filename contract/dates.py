"""How a moment is written for people, in mails and on the page alike."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

# "3 December 2026, 14:05 UTC": no leading zero on the day.
READABLE_FORMAT: Final = "%d %B %Y, %H:%M UTC"


def readable_time(moment: datetime) -> str:
    """`moment` in UTC as people read it in mails and on the page."""
    return moment.astimezone(UTC).strftime(READABLE_FORMAT).lstrip("0")


def readable_epoch(epoch: float) -> str:
    """Epoch seconds as `readable_time` writes them."""
    return readable_time(datetime.fromtimestamp(epoch, UTC))
