"""The signed-in session of one browser tab: the user on show, the tokens kept on this server.

The access and refresh tokens live only in private (`_`) variables, which
Reflex keeps in the backend's state and never sends to the browser: no
script on the page, no extension, no `localStorage`, cookie or HTML ever
holds one. The browser knows the tab only by Reflex's own client token.

The account view reads the user with `GET /me`. An access token lives a few
minutes, so a 401 is answered once with `POST /refreshSession` (which spends
the refresh token and hands back a new pair) and the read is tried again; a
second 401, or a refused refresh, ends the session and sends the person to
sign in. A limit (429) on signing out reads as the sign-in page's does: the
wait in words, counted down, the button unavailable until it is over.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Final

import reflex as rx
from reflex.event import EventHandler, EventSpec

from contract.routes import SIGN_IN_PAGE
from signup_web import services
from signup_web.api import Account, ApiUnavailable, Rejected, Session
from signup_web.focus import BANNER, focus_on
from signup_web.notices import Notice, readable_time, unavailable_notice
from signup_web.waits import LimitWait

ACCOUNT_HEADING: Final = "account-heading"
UNAUTHORIZED: Final = 401
SESSION_ENDED: Final = "Your session has ended. Sign in again to see your account."
SIGNED_OUT: Final = "You have signed out."
SIGN_IN_FIRST: Final = "Sign in to see your account."
STILL_SIGNED_IN: Final = "You are still signed in."


class SessionState(LimitWait, rx.State):
    """One tab's session; `username` is set once the account has been read."""

    username: str = ""
    email: str = ""
    created: str = ""
    verified: str = ""
    loading: bool = False
    signing_out: bool = False
    banner: str = ""
    banner_request_id: str = ""
    # Why the sign-in page is shown (signed out, session ended): until the next sign-in.
    farewell: str = ""
    _access_token: str = ""
    _refresh_token: str = ""

    def begin(self, session: Session) -> None:
        """Called by the sign-in and verify pages: keep the new tokens, forget any old user."""
        # The address's limit outlives the session: a countdown that runs must not be doubled.
        self._reset_keeping_wait()
        self._access_token, self._refresh_token = session.access_token, session.refresh_token

    @rx.event
    async def load_account(self) -> AsyncIterator[EventSpec | None]:
        """The account page's on_load: read the user, refreshing the access token once."""
        if not self._refresh_token:
            yield self._end(SIGN_IN_FIRST)
            return
        self.loading = True
        self._show(Notice(""))
        if self._wait_left(time.time()) > 0:
            self._show_wait(time.time())  # a reload keeps sign-out's wait on show
        yield None
        try:
            outcome = await self._read_account()
        except ApiUnavailable as exc:
            self.loading = False
            self._show(unavailable_notice(exc, kept=STILL_SIGNED_IN))
            yield focus_on(BANNER)
            return
        self.loading = False
        if outcome is None:
            yield self._end(SESSION_ENDED)
            return
        if isinstance(outcome, Rejected):
            # Not about the session (a proxy's 404, say): keep it, and say what happened.
            self._show(Notice(" ".join(outcome.form_errors), outcome.request_id))
            yield focus_on(BANNER)
            return
        self.username, self.email = outcome.username, outcome.email
        self.created = readable_time(outcome.created_at)
        self.verified = readable_time(outcome.verified_at)
        yield focus_on(ACCOUNT_HEADING)

    @rx.event
    async def sign_out(self) -> AsyncIterator[EventSpec | EventHandler | None]:
        """The "Sign out" button: revoke the refresh token, forget both, go to the sign-in page."""
        if self.signing_out or not self._refresh_token:
            return
        if self._wait_left(time.time()) > 0:
            yield focus_on(BANNER)  # the banner says how long: nothing is sent
            return
        self.signing_out = True
        self._show(Notice(""))
        yield None
        try:
            outcome = await services.SIGNUP_API.sign_out(
                refresh_token=self._refresh_token, for_address=self.router.session.client_ip
            )
        except ApiUnavailable as exc:
            # Still valid on the server: say so, rather than pretend it is gone.
            self.signing_out = False
            for event in self._after_failure(exc, kept=STILL_SIGNED_IN):
                yield event
            return
        # A refused token (already revoked, expired) is signed out all the same.
        if isinstance(outcome, Rejected) and outcome.status != UNAUTHORIZED:
            self.signing_out = False
            self._show(Notice(" ".join(outcome.form_errors), outcome.request_id))
            yield focus_on(BANNER)
            return
        yield self._end(SIGNED_OUT)

    async def _read_account(self) -> Account | Rejected | None:
        """The user; a refusal that is not about the session; None once the session is over."""
        outcome = await self._get_me()
        if isinstance(outcome, Rejected) and outcome.status == UNAUTHORIZED:
            if not await self._refresh():
                return None
            outcome = await self._get_me()
            if isinstance(outcome, Rejected) and outcome.status == UNAUTHORIZED:
                return None  # a fresh token refused too: nothing more to try
        return outcome

    async def _get_me(self) -> Account | Rejected:
        return await services.SIGNUP_API.get_me(
            access_token=self._access_token, for_address=self.router.session.client_ip
        )

    async def _refresh(self) -> bool:
        """Trade the refresh token for a new pair; False when the API refused it."""
        outcome = await services.SIGNUP_API.refresh_session(
            refresh_token=self._refresh_token, for_address=self.router.session.client_ip
        )
        if isinstance(outcome, Rejected):
            return False
        self._access_token, self._refresh_token = outcome.access_token, outcome.refresh_token
        return True

    def _wait_changed(self, left: float) -> None:
        # The words stay put while the wait counts down beside them (notice_view).
        self.banner = (
            f"Too many attempts. {STILL_SIGNED_IN}"
            if left > 0
            else "You can try signing out again now."
        )

    def _end(self, why: str) -> EventSpec:
        self.reset()  # type: ignore[no-untyped-call]  # the tokens go with everything else
        self.farewell = why
        return rx.redirect(SIGN_IN_PAGE)

    def _show(self, notice: Notice) -> None:
        self.banner, self.banner_request_id = notice.text, notice.request_id
