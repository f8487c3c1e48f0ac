"""What the pages say when the service, not the person, is the problem."""

from __future__ import annotations

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
        wait = f"in {exc.retry_after} s" if exc.retry_after is not None else "in a minute"
        return Notice(f"Too many attempts. {kept} Try again {wait}.", exc.request_id)
    wait = f" in {exc.retry_after} s" if exc.retry_after is not None else ""
    return Notice(f"{exc.reason} {kept} Try again{wait}.", exc.request_id)


def readable_time(iso: str) -> str:
    """`2026-11-24T20:40:43Z` as "24 November 2026, 20:40 UTC", the form the mails use."""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    return contract_readable_time(moment)
