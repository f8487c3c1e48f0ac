"""The verify page's views: confirm (with the password), confirmed, expired, invalid."""

from __future__ import annotations

from typing import Final

import reflex as rx

from contract.routes import SIGN_IN_PAGE
from signup_web.controls import action_button
from signup_web.fields import field_error, field_hint, form_group, sign_in_prompt, text_input
from signup_web.focus import focus_script
from signup_web.inbox_state import NEW_LINK_EMAIL, InboxState
from signup_web.inbox_view import INBOX_TITLE, inbox_view
from signup_web.new_link_view import new_link_form
from signup_web.notice_view import service_banner
from signup_web.services import SETTINGS
from signup_web.verify_state import (
    CONFIRM,
    EXPIRED,
    INVALID,
    VERIFIED,
    VERIFY_HEADING,
    VERIFY_PASSWORD,
    VerifyState,
)

TITLES: Final = {
    CONFIRM: "Confirm your email address",
    VERIFIED: "Your email address is confirmed",
    EXPIRED: "This link has expired",
    INVALID: "This link does not work",
}


def _heading(view: str) -> rx.Component:
    # One id for every view's heading: the handler focuses whichever is shown.
    return rx.heading(TITLES[view], size="7", as_="h1", id=VERIFY_HEADING, tab_index=-1)


def _busy(pending: rx.Var[bool]) -> rx.Var[str]:
    return rx.cond(pending, "true", "false")


def next_step_button() -> rx.Component:
    """Where a verified person goes next (NEXT_STEP_URL, labelled NEXT_STEP_LABEL)."""
    step = SETTINGS.next_step
    return rx.button(rx.el.a(step.label, href=step.url, id="next-step"), as_child=True, size="3")


def username_for_password_managers() -> rx.Component:
    """An input no person sees, for password managers to fill with the saved username.

    The API names the user only once the address is confirmed, so the page
    cannot show the username; Chromium's "Create Amazing Password Forms" asks
    for such implicit information in a hidden field all the same, so a
    manager can tell which of its saved accounts the password belongs to. Out
    of the tab order and hidden from assistive technology: people type only
    the password.
    """
    return rx.el.input(
        type="text",
        name="username",
        id="verify-username",
        auto_complete="username",
        aria_label="Username",
        aria_hidden="true",
        tab_index=-1,
        class_name="visually-hidden",
    )


def confirm_view() -> rx.Component:
    """What the mailed link opens: nothing happens until the person submits their password."""
    error = VerifyState.password_error
    return rx.form(
        rx.vstack(
            _heading(CONFIRM),
            rx.text(
                "Enter the password you chose when you signed up, then confirm."
                " This also signs you in.",
                size="3",
            ),
            username_for_password_managers(),
            service_banner(VerifyState.banner, VerifyState.banner_request_id, VerifyState.wait),
            form_group(
                VERIFY_PASSWORD,
                "Password",
                field_hint(
                    VERIFY_PASSWORD,
                    "After a few wrong tries this link stops working; you can then ask for a"
                    " new one.",
                ),
                field_error(VERIFY_PASSWORD, error),
                text_input(
                    VERIFY_PASSWORD,
                    error=error,
                    describedby=f"{VERIFY_PASSWORD}-hint {VERIFY_PASSWORD}-error",
                    type="password",
                    auto_complete="current-password",
                ),
            ),
            action_button(
                "Confirm my email",
                "Confirming…",
                button_id="confirm",
                busy=VerifyState.pending,
                waiting=VerifyState.wait != "",
                wait_id="banner",
                type="submit",
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=VerifyState.confirm,
        reset_on_submit=False,
        no_validate=True,
        # Should a submit ever escape Reflex, POST keeps the password out of the URL.
        method="post",
        aria_busy=_busy(VerifyState.pending),
        aria_labelledby=VERIFY_HEADING,
        width="100%",
    )


def verified_view() -> rx.Component:
    """Confirmed, but not signed in (the sign-in after it failed): name the person, offer it."""
    return rx.vstack(
        _heading(VERIFIED),
        rx.text(
            "Welcome, ",
            rx.text.strong(VerifyState.username),
            ". Your account is ready, and we will write to ",
            rx.text.strong(VerifyState.email),
            ".",
            size="3",
        ),
        rx.cond(
            VerifyState.sign_in_problem != "",
            rx.text(VerifyState.sign_in_problem, " Sign in to continue.", size="3"),
        ),
        next_step_button(),
        # A stage that sends people to its own app still offers this page's sign-in.
        *(
            []
            if SETTINGS.next_step.url == SIGN_IN_PAGE
            else [sign_in_prompt("Your account on this site:")]
        ),
        id="verified",
        spacing="4",
        width="100%",
    )


def broken_link_view(view: str, explanation: str) -> rx.Component:
    """Expired or invalid: say why in plain words and offer a new link."""
    return rx.vstack(
        _heading(view),
        rx.text(explanation, size="3"),
        new_link_form(),
        rx.text(
            "Already confirmed your address? There is nothing more to do: ",
            rx.link(SETTINGS.next_step.label, href=SETTINGS.next_step.url, underline="always"),
            ".",
            size="2",
        ),
        spacing="4",
        width="100%",
    )


def verify_views() -> rx.Component:
    """The view the state names; before hydration, the confirm view (what was prerendered)."""
    view = rx.cond(rx.State.is_hydrated, VerifyState.view, CONFIRM)
    return rx.match(
        view,
        (VERIFIED, verified_view()),
        (
            EXPIRED,
            broken_link_view(
                EXPIRED,
                "Links stop working after a while. Enter your email address and we will send"
                " you a new one.",
            ),
        ),
        (
            INVALID,
            broken_link_view(
                INVALID,
                "It may be incomplete (copy the whole link from the mail), or a newer link may"
                " have replaced it. Enter your email address and we will send you a new one.",
            ),
        ),
        confirm_view(),
    )


def verify_content() -> rx.Component:
    """The verify page's card: the link's views, or check-your-inbox after a new link."""
    back = [InboxState.close, rx.call_script(focus_script(NEW_LINK_EMAIL))]
    return rx.cond(
        rx.State.is_hydrated & (InboxState.address != ""), inbox_view(back), verify_views()
    )


def verify_title() -> rx.Var[str]:
    """The document's title for the view shown."""
    view = rx.cond(
        InboxState.address != "",
        INBOX_TITLE,
        rx.match(
            VerifyState.view, *((key, title) for key, title in TITLES.items()), TITLES[CONFIRM]
        ),
    )
    return view + f" – {SETTINGS.product_name}"
