"""The reset page's views: choose a new password (typed twice, as on sign-up), done, expired,
invalid."""

from __future__ import annotations

from typing import Final

import reflex as rx

from contract.routes import FORGOT_PAGE, SIGN_IN_PAGE
from signup_web.controls import action_button, true_false
from signup_web.fields import error_summary, field_error, field_hint, form_group, text_input
from signup_web.notice_view import service_banner
from signup_web.reset_state import (
    CHOOSE,
    CONFIRM_PASSWORD,
    DONE,
    EXPIRED,
    INVALID,
    NEW_PASSWORD,
    RESET_HEADING,
    ResetState,
)
from signup_web.services import SETTINGS

TITLES: Final = {
    CHOOSE: "Choose a new password",
    DONE: "Your password has been changed",
    EXPIRED: "This link has expired",
    INVALID: "This link does not work",
}


def _heading(view: str) -> rx.Component:
    return rx.heading(TITLES[view], size="7", as_="h1", id=RESET_HEADING, tab_index=-1)


def _password(field_id: str, label: str, error: rx.Var[str], hint: str = "") -> rx.Component:
    described = f"{field_id}-hint {field_id}-error" if hint else f"{field_id}-error"
    return form_group(
        field_id,
        label,
        *([field_hint(field_id, hint)] if hint else []),
        field_error(field_id, error),
        text_input(
            field_id,
            error=error,
            describedby=described,
            type="password",
            auto_complete="new-password",
        ),
    )


def choose_view() -> rx.Component:
    """What the mailed link opens: nothing changes until the form is sent."""
    minimum = SETTINGS.policy.min_length
    return rx.form(
        rx.vstack(
            _heading(CHOOSE),
            error_summary(
                ResetState.summary_shown & ResetState.has_errors,
                (
                    (NEW_PASSWORD, ResetState.password_error),
                    (CONFIRM_PASSWORD, ResetState.confirmation_error),
                ),
            ),
            _password(
                NEW_PASSWORD,
                "New password",
                ResetState.password_error,
                f"Use at least {minimum} characters; a few unrelated words work well.",
            ),
            _password(CONFIRM_PASSWORD, "Confirm new password", ResetState.confirmation_error),
            service_banner(ResetState.banner, ResetState.banner_request_id, ResetState.wait),
            action_button(
                "Change my password",
                "Changing your password…",
                button_id="change-password",
                busy=ResetState.pending,
                waiting=ResetState.wait != "",
                wait_id="banner",
                type="submit",
                width="100%",
            ),
            rx.text("Changing it signs you out everywhere you are signed in.", size="2"),
            spacing="4",
            width="100%",
        ),
        on_submit=ResetState.submit,
        reset_on_submit=False,
        no_validate=True,
        method="post",
        aria_busy=true_false(ResetState.pending),
        aria_labelledby=RESET_HEADING,
        width="100%",
    )


def _ending(view: str, text: str, link: tuple[str, str]) -> rx.Component:
    label, href = link
    return rx.vstack(
        _heading(view),
        rx.text(text, size="3"),
        rx.link(label, href=href, underline="always", id=f"reset-{view}-next"),
        spacing="4",
        width="100%",
    )


def reset_content() -> rx.Component:
    """The view the state names."""
    return rx.match(
        ResetState.view,
        (DONE, _ending(DONE, "Sign in with your new password.", ("Sign in", SIGN_IN_PAGE))),
        (
            EXPIRED,
            _ending(
                EXPIRED, "Reset links work for a while only.", ("Ask for a new link", FORGOT_PAGE)
            ),
        ),
        (
            INVALID,
            _ending(
                INVALID,
                "It may have been used already, or a newer link replaced it.",
                ("Ask for a new link", FORGOT_PAGE),
            ),
        ),
        choose_view(),
    )


def reset_title() -> rx.Var[str]:
    """The document's title for the view shown."""
    choose = rx.cond(
        ResetState.summary_shown & ResetState.has_errors, f"Error: {TITLES[CHOOSE]}", TITLES[CHOOSE]
    )
    view = rx.cond(
        ResetState.view == DONE,
        TITLES[DONE],
        rx.cond(
            ResetState.view == EXPIRED,
            TITLES[EXPIRED],
            rx.cond(ResetState.view == INVALID, TITLES[INVALID], choose),
        ),
    )
    return view + f" – {SETTINGS.product_name}"
