"""The verify page's state: a link opened from a mail, confirmed by a button, never by a GET.

Mail scanners fetch links, so loading `/verify?token=...` changes nothing; the
"Confirm my email" button POSTs the token. The token stays in the page's URL:
the handler reads it from the router when the button is clicked and keeps it
in no variable of its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Final

import reflex as rx
from reflex.event import EventSpec

from contract import codes
from signup_web import services
from signup_web.api import ApiUnavailable, Rejected, Verified
from signup_web.focus import BANNER, focus_on
from signup_web.notices import Notice, unavailable_notice

CONFIRM: Final = "confirm"
VERIFIED: Final = "verified"
EXPIRED: Final = "expired"
INVALID: Final = "invalid"
VERIFY_HEADING: Final = "verify-heading"
TOKEN_EXPIRED: Final = codes.TOKEN_EXPIRED
# token_invalid, token_required and a malformed token all mean: this link cannot work.
LINK_PROBLEMS: Final = frozenset({codes.TOKEN_INVALID, codes.TOKEN_REQUIRED, TOKEN_EXPIRED})


class VerifyState(rx.State):
    """One visitor's verify page."""

    view: str = CONFIRM
    pending: bool = False
    username: str = ""
    email: str = ""
    banner: str = ""
    banner_request_id: str = ""

    @rx.event
    def arrive(self) -> None:
        """Each load of the page: a fresh confirm view, or the invalid one without a token."""
        self.reset()  # type: ignore[no-untyped-call]  # Reflex leaves reset() unannotated
        if not self._token():
            self.view = INVALID

    @rx.event
    async def confirm(self) -> AsyncIterator[EventSpec | None]:
        """The "Confirm my email" button: POST the token in the page's URL, once."""
        if self.pending or self.view != CONFIRM:
            return  # a click queued behind the first one
        token = self._token()
        if not token:
            self.view = INVALID
            yield focus_on(VERIFY_HEADING)
            return
        self.pending = True
        self._show(Notice(""))
        yield None  # let the browser show the button as busy
        try:
            outcome = await services.SIGNUP_API.verify_email(
                token=token, for_address=self.router.session.client_ip
            )
        except ApiUnavailable as exc:
            self.pending = False
            self._show(unavailable_notice(exc, kept="Your address is not confirmed yet."))
            yield focus_on(BANNER)
            return
        self.pending = False
        yield self._apply(outcome)

    def _apply(self, outcome: Verified | Rejected) -> EventSpec:
        if isinstance(outcome, Verified):
            self.view, self.username, self.email = VERIFIED, outcome.username, outcome.email
            return focus_on(VERIFY_HEADING)
        link_codes = LINK_PROBLEMS.intersection(outcome.codes)
        if not link_codes:
            # Not about the link (a proxy's 404, a refused media type): nothing to resend.
            self._show(Notice(" ".join(outcome.form_errors), outcome.request_id))
            return focus_on(BANNER)
        self.view = EXPIRED if TOKEN_EXPIRED in link_codes else INVALID
        return focus_on(VERIFY_HEADING)

    def _token(self) -> str:
        return str(self.router.url.query_parameters.get("token", "")).strip()

    def _show(self, notice: Notice) -> None:
        self.banner, self.banner_request_id = notice.text, notice.request_id
