"""The sign-in page's views: the form, and "confirm your address first" with a new link."""

from __future__ import annotations

from typing import Final

import reflex as rx

from contract.routes import FORGOT_PAGE
from signup_web.controls import action_button
from signup_web.fields import error_summary, field_error, form_group, text_input
from signup_web.focus import focus_script
from signup_web.inbox_state import InboxState
from signup_web.inbox_view import INBOX_TITLE, inbox_view
from signup_web.new_link_view import new_link_form
from signup_web.notice_view import service_banner
from signup_web.services import SETTINGS
from signup_web.session_state import SessionState
from signup_web.sign_in_state import UNVERIFIED_HEADING, SignInState

SIGN_IN_HEADING: Final = "sign-in-heading"
SIGN_IN_TITLE: Final = "Sign in"
UNVERIFIED_TITLE: Final = "Confirm your email address first"


def _busy(flag: rx.Var[bool]) -> rx.Var[str]:
    return rx.cond(flag, "true", "false")


def _field(field_id: str, label: str, error: rx.Var[str], **props: str) -> rx.Component:
    return form_group(
        field_id,
        label,
        field_error(field_id, error),
        text_input(field_id, error=error, describedby=f"{field_id}-error", **props),
    )


def sign_in_button() -> rx.Component:
    """Says what it is doing while the request runs; unavailable (aria-disabled) while a limit
    lasts, described by the banner that says until when."""
    return action_button(
        "Sign in",
        "Signing in…",
        button_id="sign-in",
        busy=SignInState.pending,
        waiting=SignInState.wait != "",
        wait_id="banner",
        type="submit",
        width="100%",
    )


def sign_in_form() -> rx.Component:
    """Login and password under the one place for problems (error summary, service banner)."""
    return rx.form(
        rx.vstack(
            rx.heading(SIGN_IN_TITLE, size="7", as_="h1", id=SIGN_IN_HEADING, tab_index=-1),
            # Why the person is here (signed out, session over); read out when it appears.
            rx.el.p(SessionState.farewell, id="farewell", role="status", class_name="status"),
            error_summary(
                SignInState.summary_shown & SignInState.has_errors,
                (("login", SignInState.login_error), ("password", SignInState.password_error)),
            ),
            service_banner(SignInState.banner, SignInState.banner_request_id, SignInState.wait),
            _field(
                "login",
                "Username or email address",
                SignInState.login_error,
                type="text",
                auto_complete="username",
            ),
            _field(
                "password",
                "Password",
                SignInState.password_error,
                type="password",
                auto_complete="current-password",
            ),
            sign_in_button(),
            rx.link(
                "Forgot your password?", href=FORGOT_PAGE, underline="always", id="forgot-link"
            ),
            rx.text(
                "No account yet? ",
                rx.link("Create one", href="/", underline="always"),
                size="2",
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=SignInState.submit,
        reset_on_submit=False,
        no_validate=True,
        # Should a submit ever escape Reflex, POST keeps the password out of the URL.
        method="post",
        aria_busy=_busy(SignInState.pending),
        aria_labelledby=SIGN_IN_HEADING,
        width="100%",
    )


def unverified_view() -> rx.Component:
    """403 email_unverified: the password was right; the address waits for its link."""
    return rx.vstack(
        rx.heading(UNVERIFIED_TITLE, size="7", as_="h1", id=UNVERIFIED_HEADING, tab_index=-1),
        rx.text(
            "Your password is right, but this account's email address is not confirmed yet."
            " Open the link we emailed you, or ask for a new one here.",
            size="3",
        ),
        new_link_form(SignInState.login_address),
        rx.button(
            "Back to sign in",
            type="button",
            variant="ghost",
            id="back-to-sign-in",
            on_click=[SignInState.arrive, rx.call_script(focus_script("login"))],
        ),
        id="unverified",
        spacing="4",
        width="100%",
    )


def sign_in_content() -> rx.Component:
    """The sign-in page's card: the form, confirm-first, or check-your-inbox after a new link."""
    back = [InboxState.close, SignInState.arrive, rx.call_script(focus_script("login"))]
    hydrated = rx.State.is_hydrated
    return rx.cond(
        hydrated & (InboxState.address != ""),
        inbox_view(back),
        rx.cond(hydrated & SignInState.unverified, unverified_view(), sign_in_form()),
    )


def sign_in_title() -> rx.Var[str]:
    """The document's title for the view shown; "Error:" first while errors show."""
    form = rx.cond(
        SignInState.summary_shown & SignInState.has_errors, f"Error: {SIGN_IN_TITLE}", SIGN_IN_TITLE
    )
    view = rx.cond(
        InboxState.address != "",
        INBOX_TITLE,
        rx.cond(SignInState.unverified, UNVERIFIED_TITLE, form),
    )
    return view + f" – {SETTINGS.product_name}"
