"""What the pages say when the service, not the person, is the problem."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from contract.dates import readable_time as contract_readable_time
from signup_web.api import ApiUnavailable


@dataclass(frozen=True, slots=True)
class Notice:
    """A banner: its sentence and the request id support will ask for."""

    text: str
    request_id: str = ""


def unavailable_notice(exc: ApiUnavailable, *, kept: str) -> Notice:
    """The banner for a failed call; `kept` tells what the person need not redo."""
    if exc.rate_limited:
        # The API's limit (or the gateway's throttle): wait, then the same request works.
        wait = wait_in_words(exc.retry_after) if exc.retry_after is not None else "in a minute"
        return Notice(f"Too many attempts. {kept} Try again {wait}.", exc.request_id)
    wait = f" {wait_in_words(exc.retry_after)}" if exc.retry_after is not None else ""
    return Notice(f"{exc.reason} {kept} Try again{wait}.", exc.request_id)


def wait_in_words(seconds: float) -> str:
    """A wait as people say it: "in 45 seconds", "in about 15 minutes", "now".

    Seconds under a minute, then whole minutes or hours rounded up, so the
    person is never told to come back before the limit lets them.
    """
    left = math.ceil(seconds)
    if left <= 0:
        return "now"
    if left < 60:
        return f"in {_count(left, 'second')}"
    if left < 3600:
        return f"in about {_count(math.ceil(left / 60), 'minute')}"
    return f"in about {_count(math.ceil(left / 3600), 'hour')}"


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"


def readable_time(iso: str) -> str:
    """`2026-11-24T20:40:43Z` as "24 November 2026, 20:40 UTC", the form the mails use."""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return contract_readable_time(moment)
