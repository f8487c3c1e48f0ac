"""The forgot-password page's views: the address form, then the same "check your inbox" for all."""

from __future__ import annotations

from typing import Final

import reflex as rx

from signup_web.controls import action_button, true_false
from signup_web.fields import error_summary, field_error, form_group, sign_in_prompt, text_input
from signup_web.forgot_state import FORGOT_EMAIL, FORGOT_HEADING, ForgotState
from signup_web.notice_view import service_banner
from signup_web.services import SETTINGS

FORGOT_TITLE: Final = "Reset your password"
SENT_TITLE: Final = "Check your inbox"


def forgot_form() -> rx.Component:
    """One address, the error summary above it and the service banner below."""
    error = ForgotState.email_error
    return rx.form(
        rx.vstack(
            rx.heading(FORGOT_TITLE, size="7", as_="h1", id=FORGOT_HEADING, tab_index=-1),
            rx.text(
                "Enter the email address of your account. We will mail it a link to choose"
                " a new password.",
                size="3",
            ),
            error_summary(ForgotState.summary_shown & (error != ""), ((FORGOT_EMAIL, error),)),
            form_group(
                FORGOT_EMAIL,
                "Email address",
                field_error(FORGOT_EMAIL, error),
                text_input(
                    FORGOT_EMAIL,
                    error=error,
                    describedby=f"{FORGOT_EMAIL}-error",
                    type="email",
                    auto_complete="email",
                ),
            ),
            service_banner(ForgotState.banner, ForgotState.banner_request_id, ForgotState.wait),
            action_button(
                "Send me a reset link",
                "Sending a reset link…",
                button_id="send-reset-link",
                busy=ForgotState.pending,
                waiting=ForgotState.wait != "",
                wait_id="banner",
                type="submit",
                width="100%",
            ),
            sign_in_prompt("Remembered it?"),
            spacing="4",
            width="100%",
        ),
        on_submit=ForgotState.submit,
        reset_on_submit=False,
        no_validate=True,
        method="post",
        aria_busy=true_false(ForgotState.pending),
        aria_labelledby=FORGOT_HEADING,
        width="100%",
    )


def sent_view() -> rx.Component:
    """The same words whatever the address's state: the page knows no more than the API says."""
    return rx.vstack(
        rx.heading(SENT_TITLE, size="7", as_="h1", id=FORGOT_HEADING, tab_index=-1),
        rx.text(
            "If an account uses ",
            rx.text.strong(ForgotState.sent_to),
            ", we have mailed it a link to choose a new password. The link works once and"
            " only for a while; we send at most one a minute.",
            size="3",
        ),
        rx.button(
            "Use another address",
            type="button",
            variant="soft",
            id="forgot-again",
            on_click=ForgotState.again,
        ),
        sign_in_prompt("Remembered it?"),
        id="forgot-sent",
        spacing="4",
        width="100%",
    )


def forgot_content() -> rx.Component:
    """The form, or check-your-inbox once the API took the request."""
    return rx.cond(rx.State.is_hydrated & (ForgotState.sent_to != ""), sent_view(), forgot_form())


def forgot_title() -> rx.Var[str]:
    """The document's title for the view shown; "Error:" first while errors show."""
    form = rx.cond(
        ForgotState.summary_shown & (ForgotState.email_error != ""),
        f"Error: {FORGOT_TITLE}",
        FORGOT_TITLE,
    )
    view = rx.cond(ForgotState.sent_to != "", SENT_TITLE, form)
    return view + f" – {SETTINGS.product_name}"
