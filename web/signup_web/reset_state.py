"""The reset page's state: a mailed link opened, a new password chosen, never changed by a GET.

Mail scanners fetch links, so loading `/reset?token=...` changes nothing; the
form POSTs the token with the new password. As on the sign-up form, the new
password is typed twice and lives only in the handler's call; the token stays
in the page's URL and is read from the router when the form is submitted. A
limit (429) reads as the sign-in page's does: the wait in words, counted down.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Final

import reflex as rx
from reflex.event import EventHandler, EventSpec

from contract import codes
from signup_web import services
from signup_web.account_api import reset_password
from signup_web.api import ApiUnavailable, Rejected
from signup_web.focus import BANNER, ERROR_SUMMARY, focus_on
from signup_web.notices import Notice
from signup_web.waits import LimitWait

CHOOSE: Final = "choose"
DONE: Final = "done"
EXPIRED: Final = "expired"
INVALID: Final = "invalid"
RESET_HEADING: Final = "reset-heading"
NEW_PASSWORD: Final = "new-password"  # noqa: S105 - an element id
CONFIRM_PASSWORD: Final = "confirm-new-password"  # noqa: S105 - an element id
PASSWORD_REQUIRED: Final = "Choose a new password."  # noqa: S105 - a message
CONFIRMATION_REQUIRED: Final = "Type the new password again."
CONFIRMATION_DIFFERS: Final = "The two passwords are not the same."
NOT_CHANGED: Final = "Your password has not been changed."
LINK_PROBLEMS: Final = frozenset({codes.TOKEN_INVALID, codes.TOKEN_REQUIRED, codes.TOKEN_EXPIRED})


class ResetState(LimitWait, rx.State):
    """One visitor's reset page."""

    view: str = CHOOSE
    pending: bool = False
    password_error: str = ""
    confirmation_error: str = ""
    summary_shown: bool = False
    banner: str = ""
    banner_request_id: str = ""

    @rx.var
    def has_errors(self) -> bool:
        """Either field shows an error."""
        return bool(self.password_error or self.confirmation_error)

    @rx.event
    def arrive(self) -> None:
        """Each load of the page: the form, or the invalid view without a token (a limit
        still running is kept)."""
        self._reset_keeping_wait()
        if not self._token():
            self.view = INVALID

    @rx.event
    async def submit(
        self, form_data: dict[str, str]
    ) -> AsyncIterator[EventSpec | EventHandler | None]:
        """Check both fields, then POST the URL's token with the new password, once."""
        if self.pending or self.view != CHOOSE:
            return
        if self._wait_left(time.time()) > 0:
            yield focus_on(BANNER)  # the banner says how long: nothing is sent
            return
        password = str(form_data.get(NEW_PASSWORD, ""))
        confirmation = str(form_data.get(CONFIRM_PASSWORD, ""))
        self.banner, self.banner_request_id = "", ""
        self.password_error = "" if password else PASSWORD_REQUIRED
        self.confirmation_error = (
            CONFIRMATION_REQUIRED
            if password and not confirmation
            else CONFIRMATION_DIFFERS
            if password and confirmation != password
            else ""
        )
        self.summary_shown = self.has_errors
        if self.summary_shown:
            yield focus_on(ERROR_SUMMARY)
            return
        self.pending = True
        yield None
        try:
            outcome = await reset_password(
                services.SIGNUP_API,
                token=self._token(),
                password=password,
                for_address=self.router.session.client_ip,
            )
        except ApiUnavailable as exc:
            self.pending = False
            for event in self._after_failure(exc, kept=NOT_CHANGED):
                yield event
            return
        self.pending = False
        yield self._apply(outcome)

    def _wait_changed(self, left: float) -> None:
        # The words stay put while the wait counts down beside them (notice_view).
        self.banner = (
            f"Too many attempts. {NOT_CHANGED}"
            if left > 0
            else "You can try changing your password again now."
        )

    def _apply(self, outcome: object) -> EventSpec:
        if not isinstance(outcome, Rejected):
            self.view = DONE
            return focus_on(RESET_HEADING)
        link_codes = LINK_PROBLEMS.intersection(outcome.codes)
        if link_codes:
            self.view = EXPIRED if codes.TOKEN_EXPIRED in link_codes else INVALID
            return focus_on(RESET_HEADING)
        if "password" in outcome.field_errors:
            # The sign-up's rules (too short, common, weak...): say which, under the field.
            self.password_error = outcome.field_errors["password"]
            self.summary_shown = True
            return focus_on(ERROR_SUMMARY)
        self._show(Notice(" ".join(outcome.form_errors), outcome.request_id))
        return focus_on(BANNER)

    def _token(self) -> str:
        return str(self.router.url.query_parameters.get("token", "")).strip()

    def _show(self, notice: Notice) -> None:
        self.banner, self.banner_request_id = notice.text, notice.request_id
