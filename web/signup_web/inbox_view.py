"""Check your inbox: where the mail went, and a resend button that waits out the cooldown.

The same view whether or not the address already had an account: the API's
answer does not say, so neither does the page.
"""

from __future__ import annotations

from typing import Final

import reflex as rx
from reflex.event import EventType

from signup_web.controls import action_button, wait_line
from signup_web.fields import sign_in_prompt
from signup_web.inbox_state import INBOX_HEADING, InboxState
from signup_web.notice_view import service_banner

INBOX_TITLE: Final = "Check your inbox"


def _lead() -> rx.Component:
    address = rx.text.strong(InboxState.address)
    first_mail = rx.cond(
        InboxState.after_signup,
        rx.text("We sent an email to ", address, ". Open it to finish signing up.", size="3"),
        rx.text(
            "If ", address, " is waiting for confirmation, a new link is on its way.", size="3"
        ),
    )
    # What happened comes first: after a resend that is the new link. The
    # status line is always on the page (empty until then), so screen readers
    # announce it when it fills; the first mail's sentence then steps aside.
    return rx.fragment(
        rx.el.p(InboxState.status, id="resend-status", role="status", class_name="status lead"),
        rx.cond(InboxState.status == "", first_mail),
    )


def _expiry() -> rx.Component:
    return rx.cond(
        InboxState.expires != "",
        rx.text("The link in it works until ", InboxState.expires, ".", size="2"),
    )


def resend_button() -> rx.Component:
    """Asks for a new link; unavailable (and saying how long, in words) during the cooldown."""
    return rx.vstack(
        action_button(
            "Send the link again",
            "Sending a new link…",
            button_id="resend",
            busy=InboxState.sending,
            waiting=InboxState.cooldown > 0,
            wait_id="resend-wait",
            type="button",
            variant="soft",
            on_click=InboxState.resend,
        ),
        wait_line("resend-wait", InboxState.wait),
        spacing="1",
    )


def inbox_view(on_start_over: EventType[()]) -> rx.Component:
    """The view after a sign-up or a request for a new link; `on_start_over` goes back."""
    return rx.vstack(
        rx.heading(INBOX_TITLE, size="7", as_="h1", id=INBOX_HEADING, tab_index=-1),
        _lead(),
        service_banner(InboxState.banner, InboxState.banner_request_id),
        _expiry(),
        rx.text(
            "Nothing there after a few minutes? Check your spam folder, or ask for a new link."
            " If still nothing arrives, the sign-up may have lapsed: start again with a new one.",
            size="2",
        ),
        resend_button(),
        rx.el.p(
            "Wrong address? ",
            rx.button(
                "Start again with a different one",
                type="button",
                variant="ghost",
                id="start-over",
                on_click=on_start_over,
            ),
            class_name="start-over",
        ),
        sign_in_prompt("Confirmed your address already?"),
        id="inbox",
        spacing="4",
        width="100%",
    )
