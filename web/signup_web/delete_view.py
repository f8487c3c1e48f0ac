"""The account view's delete-account section: what goes, then the password that confirms it."""

from __future__ import annotations

from typing import Final

import reflex as rx

from signup_web.controls import action_button, true_false
from signup_web.delete_state import DELETE_BANNER, DELETE_HEADING, DELETE_PASSWORD, DeleteState
from signup_web.fields import field_error, form_group, text_input
from signup_web.notice_view import service_banner

WHAT_GOES: Final = (
    "Deleting your account removes your profile, your username and your email address, and"
    " signs you out everywhere. It cannot be undone; the username and the address can then be"
    " used for a new account."
)


def delete_form() -> rx.Component:
    """The password field and the two choices."""
    error = DeleteState.password_error
    return rx.form(
        rx.vstack(
            rx.heading("Delete your account", size="5", as_="h2", id=DELETE_HEADING, tab_index=-1),
            rx.text(WHAT_GOES, size="3", id="delete-what-goes"),
            form_group(
                DELETE_PASSWORD,
                "Your password",
                field_error(DELETE_PASSWORD, error),
                text_input(
                    DELETE_PASSWORD,
                    error=error,
                    describedby=f"delete-what-goes {DELETE_PASSWORD}-error",
                    type="password",
                    auto_complete="current-password",
                ),
            ),
            service_banner(
                DeleteState.banner,
                DeleteState.banner_request_id,
                DeleteState.wait,
                banner_id=DELETE_BANNER,
            ),
            rx.hstack(
                action_button(
                    "Delete my account",
                    "Deleting your account…",
                    button_id="confirm-delete",
                    busy=DeleteState.pending,
                    waiting=DeleteState.wait != "",
                    wait_id=DELETE_BANNER,
                    type="submit",
                    color_scheme="red",
                    # White on Radix's red 9 is about 3.9:1; the high-contrast
                    # shade keeps the warning colour and reaches WCAG AA.
                    high_contrast=True,
                ),
                rx.button(
                    "Keep my account",
                    type="button",
                    variant="soft",
                    id="cancel-delete",
                    size="3",
                    on_click=DeleteState.cancel,
                ),
                spacing="3",
                wrap="wrap",
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=DeleteState.submit,
        reset_on_submit=False,
        no_validate=True,
        method="post",
        aria_busy=true_false(DeleteState.pending),
        aria_labelledby=DELETE_HEADING,
        id="delete-form",
        width="100%",
    )


def delete_section() -> rx.Component:
    """A "Delete account…" button until asked, then the form."""
    return rx.cond(
        DeleteState.asking,
        delete_form(),
        rx.button(
            "Delete account…",
            type="button",
            variant="soft",
            color_scheme="red",
            id="delete-account",
            size="3",
            disabled=~rx.State.is_hydrated,
            on_click=DeleteState.ask,
        ),
    )
