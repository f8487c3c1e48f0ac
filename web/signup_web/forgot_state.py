"""The forgot-password page's state: one address in, the same answer for every address out.

The API answers 202 whatever the address's state, so the page says the same
thing for all: if an account uses this address, a link is on its way. A
limit (429) reads as the sign-in page's does: the wait in words, counted down.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Final

import reflex as rx
from reflex.event import EventHandler, EventSpec

from signup_web import services
from signup_web.account_api import forgot_password
from signup_web.api import ApiUnavailable, Rejected, new_idempotency_key
from signup_web.focus import BANNER, ERROR_SUMMARY, focus_on
from signup_web.notices import Notice
from signup_web.waits import LimitWait

FORGOT_HEADING: Final = "forgot-heading"
FORGOT_EMAIL: Final = "forgot-email"
EMAIL_REQUIRED: Final = "Enter the email address of your account."
KEPT: Final = "Your address is still in the form."


class ForgotState(LimitWait, rx.State):
    """One visitor's forgot-password form."""

    email: str = ""
    email_error: str = ""
    summary_shown: bool = False
    pending: bool = False
    # The address a link was asked for: the "check your inbox" view shows it.
    sent_to: str = ""
    banner: str = ""
    banner_request_id: str = ""

    @rx.event
    def arrive(self) -> None:
        """Each load of the page: an empty form (a limit still running is kept)."""
        self._reset_keeping_wait()

    @rx.event
    async def submit(
        self, form_data: dict[str, str]
    ) -> AsyncIterator[EventSpec | EventHandler | None]:
        """Check the address is there, then ask the API once (retries reuse the key)."""
        if self.pending:
            return
        if self._wait_left(time.time()) > 0:
            yield focus_on(BANNER)
            return
        self.email = str(form_data.get(FORGOT_EMAIL, "")).strip()
        self.banner, self.banner_request_id = "", ""
        self.email_error = "" if self.email else EMAIL_REQUIRED
        self.summary_shown = bool(self.email_error)
        if self.summary_shown:
            yield focus_on(ERROR_SUMMARY)
            return
        self.pending = True
        yield None
        try:
            outcome = await forgot_password(
                services.SIGNUP_API,
                email=self.email,
                key=new_idempotency_key(),
                for_address=self.router.session.client_ip,
            )
        except ApiUnavailable as exc:
            self.pending = False
            for event in self._after_failure(exc, kept=KEPT):
                yield event
            return
        self.pending = False
        if isinstance(outcome, Rejected):
            self.email_error = outcome.field_errors.get("email", "") or " ".join(
                outcome.form_errors
            )
            self.summary_shown = True
            yield focus_on(ERROR_SUMMARY)
            return
        self.sent_to = self.email
        yield focus_on(FORGOT_HEADING)

    @rx.event
    def again(self) -> EventSpec:
        """ "Use another address": back to the form."""
        self.sent_to = ""
        return focus_on(FORGOT_EMAIL)

    def _wait_changed(self, left: float) -> None:
        # The words stay put while the wait counts down beside them (notice_view).
        self.banner = (
            "Too many requests for a reset link."
            if left > 0
            else "You can ask for a reset link again now."
        )

    def _show(self, notice: Notice) -> None:
        self.banner, self.banner_request_id = notice.text, notice.request_id
