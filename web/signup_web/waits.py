"""A limit's wait, in words, counted down: the pattern every form that meets a 429 follows.

A state class mixes `LimitWait` in, calls `_start_wait(seconds, now)` with the
API's Retry-After (yielding the event it returns), refuses to send while
`_wait_left(now) > 0`, words its banner in `_wait_changed(left)` and empties
itself with `_reset_keeping_wait()` rather than `reset()`. A failed call's
banner and focus come from `_after_failure(exc, kept=...)`: the wait for a 429, the
service's problem (and what was kept) otherwise. Its
button is `controls.action_button(..., waiting=State.wait != "")`, so the
action stays unavailable (aria-disabled) and described by the banner until
the wait is over. `wait` is "in about 15 minutes", "in 45 seconds", or "".
"""

from __future__ import annotations

import asyncio
import time
from typing import Final

import reflex as rx
from reflex.event import EventHandler, EventSpec

from signup_web.api import ApiUnavailable
from signup_web.focus import BANNER, focus_on
from signup_web.notices import Notice, unavailable_notice, wait_in_words

# When the API sent no Retry-After with its 429 (the gateway's own throttle).
DEFAULT_WAIT_SECONDS: Final = 60


class LimitWait(rx.State, mixin=True):
    """The wait in words and the once-a-second countdown that keeps it current."""

    wait: str = ""
    _ready_at: float = 0.0
    _counting: bool = False

    @rx.event(background=True)
    async def count_down(self) -> None:
        """Keep the wait's words current once a second until the action may be used again."""
        while True:
            await asyncio.sleep(1)
            async with self:
                now = time.time()
                self._show_wait(now)
                if self._wait_left(now) <= 0:
                    self._counting = False
                    return

    def _start_wait(self, seconds: float | None, now: float) -> EventHandler | None:
        """Wait `seconds` (Retry-After) from `now`; returns the countdown to start, if none runs."""
        wait = DEFAULT_WAIT_SECONDS if seconds is None else seconds
        self._ready_at = max(self._ready_at, now + wait)
        self._show_wait(now)
        if self._counting or self._wait_left(now) <= 0:
            return None
        self._counting = True
        return type(self).count_down

    def _after_failure(
        self, exc: ApiUnavailable, *, kept: str, banner: str = BANNER
    ) -> list[EventSpec | EventHandler]:
        """The events after a failed call, focus on the `banner` (the element's id): a 429
        starts the wait (which `_wait_changed` words), any other failure shows the service's
        problem and `kept`."""
        if not exc.rate_limited:
            self._show(unavailable_notice(exc, kept=kept))
            return [focus_on(banner)]
        self._show(Notice("", exc.request_id))
        counting = self._start_wait(exc.retry_after, time.time())
        return [focus_on(banner)] if counting is None else [counting, focus_on(banner)]

    def _show(self, notice: Notice) -> None:
        """Put `notice` in the banner; a subclass overrides it."""
        raise NotImplementedError

    def _reset_keeping_wait(self) -> None:
        """`reset()` the state (a page load, a form closed) but keep a limit that still runs."""
        ready_at, counting = self._ready_at, self._counting
        self.reset()  # type: ignore[no-untyped-call]  # Reflex leaves it unannotated
        # The countdown, if one runs, goes on ticking: it must not be started twice.
        self._ready_at, self._counting = ready_at, counting
        now = time.time()
        if self._wait_left(now) > 0:
            self._show_wait(now)

    def _wait_left(self, now: float) -> float:
        return max(0.0, self._ready_at - now)

    def _show_wait(self, now: float) -> None:
        left = self._wait_left(now)
        self.wait = wait_in_words(left) if left > 0 else ""
        self._wait_changed(left)

    def _wait_changed(self, left: float) -> None:
        """Word the banner for `left` seconds (0: the wait is over); a subclass overrides it."""
