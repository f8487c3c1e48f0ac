"""The verify page's state: a link opened from a mail, confirmed with the password, never by a GET.

Mail scanners fetch links, so loading `/verify?token=...` changes nothing; the
"Confirm my email" form POSTs the token with the password the sign-up chose
(so nobody confirms an account whose password they did not type). The token
stays in the page's URL: the handler reads it from the router when the form
is submitted and keeps it in no variable of its own; the password lives only
in the handler's call. Once the API confirms, the same login and password sign
the person in and the account view opens. A limit (429) reads as the sign-in
page's does: the wait in words, counted down.
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
from signup_web.api import ApiUnavailable, Rejected, Session, Verified
from signup_web.focus import BANNER, focus_on
from signup_web.notices import Notice
from signup_web.session_state import SessionState
from signup_web.waits import LimitWait

CONFIRM: Final = "confirm"
VERIFIED: Final = "verified"
EXPIRED: Final = "expired"
INVALID: Final = "invalid"
VERIFY_HEADING: Final = "verify-heading"
VERIFY_PASSWORD: Final = "verify-password"  # noqa: S105 - an element id
PASSWORD_REQUIRED: Final = "Enter the password you chose when you signed up."  # noqa: S105 - a message
PASSWORD_MISMATCH: Final = "This is not the password you chose when you signed up."  # noqa: S105 - a message
TOKEN_EXPIRED: Final = codes.TOKEN_EXPIRED
# token_invalid, token_required and a malformed token all mean: this link cannot work.
LINK_PROBLEMS: Final = frozenset({codes.TOKEN_INVALID, codes.TOKEN_REQUIRED, TOKEN_EXPIRED})
NOT_CONFIRMED: Final = "Your address is not confirmed yet."


class VerifyState(LimitWait, rx.State):
    """One visitor's verify page."""

    view: str = CONFIRM
    pending: bool = False
    password_error: str = ""
    username: str = ""
    email: str = ""
    # On the confirmed view: why the automatic sign-in did not happen.
    sign_in_problem: str = ""
    banner: str = ""
    banner_request_id: str = ""

    @rx.event
    def arrive(self) -> None:
        """Each load of the page: a fresh confirm view, or the invalid one without a token (a
        limit still running is kept)."""
        self._reset_keeping_wait()
        if not self._token():
            self.view = INVALID

    @rx.event
    async def confirm(
        self, form_data: dict[str, str]
    ) -> AsyncIterator[EventSpec | EventHandler | None]:
        """The "Confirm my email" form: POST the URL's token with the password, once."""
        if self.pending or self.view != CONFIRM:
            return  # a click queued behind the first one
        if self._wait_left(time.time()) > 0:
            yield focus_on(BANNER)  # the banner says how long: nothing is sent
            return
        token, password = self._token(), str(form_data.get(VERIFY_PASSWORD, ""))
        if not token:
            self.view = INVALID
            yield focus_on(VERIFY_HEADING)
            return
        self._show(Notice(""))
        self.password_error = "" if password else PASSWORD_REQUIRED
        if not password:
            yield focus_on(VERIFY_PASSWORD)
            return
        self.pending, signed_in = True, False
        yield None  # let the browser show the button as busy
        try:
            outcome = await services.SIGNUP_API.verify_email(
                token=token, password=password, for_address=self.router.session.client_ip
            )
            if isinstance(outcome, Verified):
                signed_in = await self._sign_in(outcome.username, password)
        except ApiUnavailable as exc:
            self.pending = False
            for event in self._after_failure(exc, kept=NOT_CONFIRMED):
                yield event
            return
        self.pending = False
        if isinstance(outcome, Verified) and signed_in:
            yield rx.redirect(ACCOUNT_PAGE)
            return
        yield self._apply(outcome)

    async def _sign_in(self, username: str, password: str) -> bool:
        """Sign in as the confirmed user; on failure the confirmed view says why, and offers it."""
        try:
            outcome = await services.SIGNUP_API.sign_in(
                login=username, password=password, for_address=self.router.session.client_ip
            )
        except ApiUnavailable:
            outcome = None
        if not isinstance(outcome, Session):
            self.sign_in_problem = "We could not sign you in just now."
            return False
        session = await self.get_state(SessionState)
        session.begin(outcome)
        return True

    def _wait_changed(self, left: float) -> None:
        # The words stay put while the wait counts down beside them (notice_view).
        self.banner = (
            f"Too many attempts. {NOT_CONFIRMED}"
            if left > 0
            else "You can try confirming your address again now."
        )

    def _apply(self, outcome: Verified | Rejected) -> EventSpec:
        if isinstance(outcome, Verified):
            self.view, self.username, self.email = VERIFIED, outcome.username, outcome.email
            return focus_on(VERIFY_HEADING)
        if codes.PASSWORD_MISMATCH in outcome.codes:
            self.password_error = outcome.field_errors.get("password") or PASSWORD_MISMATCH
            return focus_on(VERIFY_PASSWORD)
        link_codes = LINK_PROBLEMS.intersection(outcome.codes)
        if not link_codes:
            # Not about the link (a proxy's 404, a refused media type): nothing to resend.
            problems = [*outcome.form_errors, *outcome.field_errors.values()]
            self._show(Notice(" ".join(problems), outcome.request_id))
            return focus_on(BANNER)
        self.view = EXPIRED if TOKEN_EXPIRED in link_codes else INVALID
        return focus_on(VERIFY_HEADING)

    def _token(self) -> str:
        return str(self.router.url.query_parameters.get("token", "")).strip()

    def _show(self, notice: Notice) -> None:
        self.banner, self.banner_request_id = notice.text, notice.request_id
