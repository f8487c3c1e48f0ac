"""The sign-in form's state: what is missing, what the API refused, and how long to wait.

As on the sign-up form, the password is never stored: the handler gets it
with the submitted form and forgets it when it returns. The tokens a
successful sign-in brings go straight into SessionState's private variables.

The API answers a wrong password and an unknown login alike (401
`credentials_invalid`), so the page does too. A sign-up that was never
confirmed answers 403 `email_unverified` only to the right password, so the
page may then say so and offer a new link. Too many failures answer 429 with
Retry-After: the form says the wait in words, counts it down and refuses to
send until it is over.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Final

import reflex as rx
from reflex.event import EventHandler, EventSpec

from contract import codes
from contract.routes import ACCOUNT_PAGE
from signup_web import services
from signup_web.api import ApiUnavailable, Rejected
from signup_web.focus import BANNER, ERROR_SUMMARY, focus_on
from signup_web.notices import Notice
from signup_web.session_state import SessionState
from signup_web.waits import LimitWait

SIGN_IN_FIELDS: Final = ("login", "password")
UNVERIFIED_HEADING: Final = "unverified-heading"
LOGIN_REQUIRED: Final = "Enter your username or email address."
PASSWORD_REQUIRED: Final = "Enter your password."  # noqa: S105 - a message
# One sentence for a wrong password and an unknown login: the API tells them apart for nobody.
CREDENTIALS_WRONG: Final = "The username or email address and password do not match an account."

# What a failed call leaves in place, said under the service's problem.
DETAILS_KEPT: Final = "Your details are still in the form."


class SignInState(LimitWait, rx.State):
    """One visitor's sign-in form."""

    login: str = ""
    login_error: str = ""
    password_error: str = ""
    summary_shown: bool = False
    pending: bool = False
    # 403 email_unverified: the right password for an address not yet confirmed.
    unverified: bool = False
    banner: str = ""
    banner_request_id: str = ""

    @rx.var
    def has_errors(self) -> bool:
        """Any field shows an error."""
        return bool(self.login_error or self.password_error)

    @rx.var
    def login_address(self) -> str:
        """The login when it is an email address (to ask for a new link with), else ""."""
        return self.login if "@" in self.login else ""

    @rx.event
    def arrive(self) -> None:
        """Each load of the page: an empty form (a limit still running is kept)."""
        self._reset_keeping_wait()

    @rx.event
    async def submit(
        self, form_data: dict[str, str]
    ) -> AsyncIterator[EventSpec | EventHandler | None]:
        """Check both fields are there, then call the API once; the password lives only here."""
        if self.pending:
            return  # a click queued behind the first one
        if self._wait_left(time.time()) > 0:
            yield focus_on(BANNER)  # the banner says how long: nothing is sent
            return
        login, password = (str(form_data.get(name, "")) for name in SIGN_IN_FIELDS)
        session = await self.get_state(SessionState)
        session.farewell = ""  # this attempt's outcome is what the page says now
        self.login, self.unverified = login.strip(), False
        self._show(Notice(""))
        self.login_error = "" if self.login else LOGIN_REQUIRED
        self.password_error = "" if password else PASSWORD_REQUIRED
        self.summary_shown = self.has_errors
        if self.summary_shown:
            yield focus_on(ERROR_SUMMARY)
            return
        self.pending = True
        yield None  # let the browser show the button as busy
        try:
            outcome = await services.SIGNUP_API.sign_in(
                login=self.login, password=password, for_address=self.router.session.client_ip
            )
        except ApiUnavailable as exc:
            self.pending = False
            for event in self._after_failure(exc, kept=DETAILS_KEPT):
                yield event
            return
        self.pending = False
        if isinstance(outcome, Rejected):
            yield self._refused(outcome)
            return
        session.begin(outcome)
        self.reset()  # type: ignore[no-untyped-call]  # nothing of the form outlives it
        yield rx.redirect(ACCOUNT_PAGE)

    def _refused(self, outcome: Rejected) -> EventSpec:
        if codes.EMAIL_UNVERIFIED in outcome.codes:
            self.unverified = True
            return focus_on(UNVERIFIED_HEADING)
        if codes.CREDENTIALS_INVALID in outcome.codes:
            self.login_error = CREDENTIALS_WRONG
        else:
            # The API's own rules (a login too long to be one, say), under their fields.
            self.login_error = outcome.field_errors.get("login", "")
            self.password_error = outcome.field_errors.get("password", "")
            if outcome.form_errors:
                self._show(Notice(" ".join(outcome.form_errors), outcome.request_id))
        self.summary_shown = self.has_errors
        return focus_on(ERROR_SUMMARY if self.summary_shown else BANNER)

    def _wait_changed(self, left: float) -> None:
        # The words stay put while the wait counts down beside them (notice_view).
        self.banner = (
            "Too many attempts to sign in." if left > 0 else "You can try signing in again now."
        )

    def _show(self, notice: Notice) -> None:
        self.banner, self.banner_request_id = notice.text, notice.request_id
