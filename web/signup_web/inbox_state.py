"""The check-your-inbox view's state: where the mail went, and asking for another link.

Both pages open it: the sign-up form after the API accepted a sign-up, and the
verify page when a person with an expired or broken link asks for a new one.
Its wording never depends on whether the address had an account, because the
API's answers do not either.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator
from typing import Final

import reflex as rx
from reflex.event import EventSpec

# The API mails an address at most once a minute; the button waits as long
# (contract.bounds), so a click never silently sends nothing.
from contract.bounds import RESEND_COOLDOWN_SECONDS
from contract.rules import email_problem
from signup_web import services
from signup_web.api import ApiUnavailable, Rejected, new_idempotency_key
from signup_web.focus import BANNER, focus_on
from signup_web.notices import Notice, readable_time, unavailable_notice, wait_in_words

INBOX_HEADING: Final = "inbox-heading"
NEW_LINK_EMAIL: Final = "new-link-email"
# After "Send the link again" the page names the address it already showed:
# the answer is the same whether or not it could mail, so the advice covers both.
RESENT: Final = "We sent a new link to {address}."
LIMITED: Final = "Too many attempts. Nothing was sent."


class InboxState(rx.State):
    """One visitor's check-your-inbox view (open while `address` is set)."""

    address: str = ""
    expires: str = ""
    # True when the sign-up form sent the mail, False when the verify page asked for a new link.
    after_signup: bool = False
    cooldown: int = 0
    sending: bool = False
    status: str = ""
    email_error: str = ""
    banner: str = ""
    banner_request_id: str = ""
    _ready_at: float = 0.0
    _counting: bool = False

    @rx.var
    def wait(self) -> str:
        """How long until another link may be asked for, in words; "" once it may."""
        if self.cooldown <= 0:
            return ""
        return f"You can ask for another link {wait_in_words(self.cooldown)}."

    @rx.event
    def stay(self) -> None:
        """A reload of the sign-up page: keep the view open (and its cooldown running)."""
        self.status, self.email_error = "", ""
        self._show(Notice(""))

    @rx.event
    def close(self) -> None:
        """Back to a fresh page (each load of a page starts here)."""
        self.reset()  # type: ignore[no-untyped-call]  # Reflex leaves it unannotated

    def open_after_signup(self, address: str, expires_at: str, *, now: float) -> EventSpec | None:
        """Called by the sign-up form: the API accepted it; start the resend cooldown."""
        self.reset()  # type: ignore[no-untyped-call]  # Reflex leaves it unannotated
        self.address, self.after_signup = address, True
        self.expires = readable_time(expires_at)
        return self._cool_down(RESEND_COOLDOWN_SECONDS, now)

    @rx.event
    async def resend(self) -> AsyncIterator[EventSpec | None]:
        """The "Send the link again" button: honours the cooldown, then asks the API once."""
        if self.sending or not self.address or self._wait_left(time.time()) > 0:
            return  # the button says how long to wait; nothing is sent
        async for event in self._send(self.address):
            yield event

    @rx.event
    async def ask_for_link(self, form_data: dict[str, str]) -> AsyncIterator[EventSpec | None]:
        """The expired or invalid link's form: check the address, then ask for a new link."""
        email = str(form_data.get(NEW_LINK_EMAIL, "")).strip()
        problem = email_problem(email)
        self.email_error = problem.message if problem else ""
        if problem is not None:
            yield focus_on(NEW_LINK_EMAIL)
            return
        if self.sending or self._wait_left(time.time()) > 0:
            return
        async for event in self._send(email, opens=True):
            yield event

    @rx.event(background=True)
    async def count_down(self) -> None:
        """Tick the wait down once a second until another link may be asked for."""
        while True:
            await asyncio.sleep(1)
            async with self:
                self.cooldown = self._wait_left(time.time())
                if self.cooldown <= 0:
                    self._counting = False
                    return

    async def _send(self, email: str, *, opens: bool = False) -> AsyncIterator[EventSpec | None]:
        self.sending, self.status = True, ""
        self._show(Notice(""))
        yield None  # let the browser show the button as busy
        try:
            # Each click asks for one more link: a new key, repeated only by
            # the client's own retries of this one request.
            outcome = await services.SIGNUP_API.resend_verification(
                email=email, key=new_idempotency_key(), for_address=self.router.session.client_ip
            )
        except ApiUnavailable as exc:
            self.sending = False
            if exc.rate_limited:
                # The countdown beside the button says when; a figure here would go stale.
                # The gateway's own 429 names no wait: the API's cooldown is the least.
                self._show(Notice(LIMITED, exc.request_id))
                wait = exc.retry_after or RESEND_COOLDOWN_SECONDS
            else:
                self._show(unavailable_notice(exc, kept="Nothing was sent."))
                wait = exc.retry_after or 0
            yield self._cool_down(wait, time.time())
            yield focus_on(BANNER)
            return
        self.sending = False
        if isinstance(outcome, Rejected):
            # Only the verify page's form has an email field to put the API's message under.
            field_error = outcome.field_errors.get("email", "") if opens else ""
            self.email_error = field_error
            problems = [*outcome.form_errors] + ([] if opens else [*outcome.field_errors.values()])
            self._show(Notice(" ".join(problems), outcome.request_id))
            yield focus_on(NEW_LINK_EMAIL if field_error else BANNER)
            return
        yield self._cool_down(RESEND_COOLDOWN_SECONDS, time.time())
        if opens:
            # The view's first sentence says what the API's detail says.
            self.address, self.after_signup, self.expires = email, False, ""
            yield focus_on(INBOX_HEADING)
        else:
            self.status = RESENT.format(address=self.address)

    def _cool_down(self, seconds: int, now: float) -> EventSpec | None:
        self._ready_at = max(self._ready_at, now + seconds)
        self.cooldown = self._wait_left(now)
        if self.cooldown <= 0 or self._counting:
            return None
        self._counting = True
        return InboxState.count_down

    def _wait_left(self, now: float) -> int:
        return max(0, math.ceil(self._ready_at - now))

    def _show(self, notice: Notice) -> None:
        self.banner, self.banner_request_id = notice.text, notice.request_id
