"""Asking for a new verification link by address: the verify page's broken links, and sign-in."""

from __future__ import annotations

import reflex as rx

from signup_web.controls import action_button, wait_line
from signup_web.fields import field_error, form_group, text_input
from signup_web.inbox_state import NEW_LINK_EMAIL, InboxState
from signup_web.notice_view import service_banner


def new_link_form(address: rx.Var[str] | str = "") -> rx.Component:
    """Ask for a new link by address (a token alone does not say whose it was); `address`
    fills the field at first, when the page already knows it."""
    waiting = InboxState.cooldown > 0
    error = InboxState.email_error
    return rx.form(
        rx.vstack(
            service_banner(InboxState.banner, InboxState.banner_request_id),
            form_group(
                NEW_LINK_EMAIL,
                "Email address",
                field_error(NEW_LINK_EMAIL, error),
                text_input(
                    NEW_LINK_EMAIL,
                    error=error,
                    describedby=f"{NEW_LINK_EMAIL}-error",
                    type="email",
                    auto_complete="email",
                    default_value=address,
                ),
            ),
            action_button(
                "Send me a new link",
                "Sending a new link…",
                button_id="new-link",
                busy=InboxState.sending,
                waiting=waiting,
                wait_id="new-link-wait",
                type="submit",
                width="100%",
            ),
            wait_line("new-link-wait", InboxState.wait),
            rx.text(
                "If nothing arrives in a few minutes, the sign-up may have lapsed: ",
                rx.link("sign up again", href="/", underline="always"),
                ".",
                size="2",
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=InboxState.ask_for_link,
        reset_on_submit=False,
        no_validate=True,
        aria_label="Ask for a new link",
        width="100%",
    )
