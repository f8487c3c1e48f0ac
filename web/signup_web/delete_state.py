"""Deleting the account from the account view: the password confirms it, once.

The access token stays in SessionState's private variables; a 401 without a
problem code (the gateway refusing an expired token) is answered once by
refreshing the session, as the account view's read does. A wrong password
shows under the field and deletes nothing. After the 204 the session is
forgotten and the sign-in page says the account is gone. A limit (429) reads
as the sign-in page's does: the wait in words, counted down, in the section's
own banner; the account view's banner above it belongs to reading the account
and signing out, and both may show at once.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Final

import reflex as rx
from reflex.event import EventHandler, EventSpec

from contract import codes
from signup_web import services
from signup_web.account_api import delete_account
from signup_web.api import ApiUnavailable, Rejected, SignedOut
from signup_web.focus import focus_on
from signup_web.notices import Notice
from signup_web.session_state import SESSION_ENDED, UNAUTHORIZED, SessionState
from signup_web.waits import LimitWait

DELETE_HEADING: Final = "delete-heading"
DELETE_PASSWORD: Final = "delete-password"  # noqa: S105 - an element id
DELETE_BANNER: Final = "delete-banner"
PASSWORD_REQUIRED: Final = "Enter your password to delete your account."  # noqa: S105 - a message
PASSWORD_WRONG: Final = "This is not your password."  # noqa: S105 - a message
DELETED: Final = "Your account has been deleted. We have mailed you a confirmation."
NOT_DELETED: Final = "Your account has not been deleted."


class DeleteState(LimitWait, rx.State):
    """The account view's delete-account section."""

    asking: bool = False
    pending: bool = False
    password_error: str = ""
    banner: str = ""
    banner_request_id: str = ""

    @rx.event
    def ask(self) -> EventSpec:
        """ "Delete account…": what goes, the password field, and a limit still running."""
        self._reset_keeping_wait()
        self.asking = True
        return focus_on(DELETE_HEADING)

    @rx.event
    def cancel(self) -> EventSpec:
        """Keep the account."""
        self._reset_keeping_wait()
        return focus_on("delete-account")

    @rx.event
    async def submit(
        self, form_data: dict[str, str]
    ) -> AsyncIterator[EventSpec | EventHandler | None]:
        """Send the password with the session's access token, once."""
        if self.pending:
            return
        if self._wait_left(time.time()) > 0:
            yield focus_on(DELETE_BANNER)  # the banner says how long: nothing is sent
            return
        password = str(form_data.get(DELETE_PASSWORD, ""))
        self.banner, self.banner_request_id = "", ""
        self.password_error = "" if password else PASSWORD_REQUIRED
        if not password:
            yield focus_on(DELETE_PASSWORD)
            return
        self.pending = True
        yield None
        session = await self.get_state(SessionState)
        try:
            outcome = await self._delete(session, password)
            if _token_refused(outcome) and await session._refresh():
                outcome = await self._delete(session, password)
        except ApiUnavailable as exc:
            self.pending = False
            for event in self._after_failure(exc, kept=NOT_DELETED, banner=DELETE_BANNER):
                yield event
            return
        self.pending = False
        yield self._apply(session, outcome)

    def _apply(self, session: SessionState, outcome: SignedOut | Rejected) -> EventSpec:
        if isinstance(outcome, SignedOut):
            self.reset()  # type: ignore[no-untyped-call]  # Reflex leaves reset() unannotated
            return session._end(DELETED)
        if _token_refused(outcome):
            return session._end(SESSION_ENDED)
        if codes.CREDENTIALS_INVALID in outcome.codes:
            self.password_error = PASSWORD_WRONG
            return focus_on(DELETE_PASSWORD)
        self.password_error = outcome.field_errors.get("password", "")
        if not self.password_error:
            self._show(Notice(" ".join(outcome.form_errors), outcome.request_id))
        return focus_on(DELETE_PASSWORD if self.password_error else DELETE_BANNER)

    async def _delete(self, session: SessionState, password: str) -> SignedOut | Rejected:
        return await delete_account(
            services.SIGNUP_API,
            access_token=session._access_token,
            password=password,
            for_address=self.router.session.client_ip,
        )

    def _wait_changed(self, left: float) -> None:
        # The words stay put while the wait counts down beside them (notice_view).
        self.banner = (
            f"Too many attempts. {NOT_DELETED}"
            if left > 0
            else "You can try deleting your account again now."
        )

    def _show(self, notice: Notice) -> None:
        self.banner, self.banner_request_id = notice.text, notice.request_id


def _token_refused(outcome: SignedOut | Rejected) -> bool:
    """The gateway's 401 (no problem code): the access token, not the password, was refused."""
    return (
        isinstance(outcome, Rejected)
        and outcome.status == UNAUTHORIZED
        and codes.CREDENTIALS_INVALID not in outcome.codes
    )
