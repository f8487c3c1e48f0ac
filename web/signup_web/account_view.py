"""The signed-in account view: who the person is (from `GET /me`) and a sign-out button."""

from __future__ import annotations

from typing import Final

import reflex as rx

from contract.routes import SIGN_IN_PAGE
from signup_web.controls import action_button
from signup_web.delete_view import delete_section
from signup_web.notice_view import service_banner
from signup_web.services import SETTINGS
from signup_web.session_state import ACCOUNT_HEADING, SessionState

ACCOUNT_TITLE: Final = "Your account"


def _detail(term: str, value: rx.Var[str]) -> rx.Component:
    return rx.el.div(rx.el.dt(term), rx.el.dd(value), class_name="account-detail")


def account_details() -> rx.Component:
    """The user's name, address and dates, as a description list."""
    return rx.el.dl(
        _detail("Username", SessionState.username),
        _detail("Email address", SessionState.email),
        _detail("Account created", SessionState.created),
        _detail("Email address confirmed", SessionState.verified),
        id="account-details",
        class_name="account-details",
    )


def sign_out_button() -> rx.Component:
    """Revokes the session, then the sign-in page; says what it is doing meanwhile."""
    return action_button(
        "Sign out",
        "Signing out…",
        button_id="sign-out",
        busy=SessionState.signing_out,
        waiting=SessionState.wait != "",
        wait_id="banner",
        type="button",
        variant="soft",
        on_click=SessionState.sign_out,
    )


def account_view() -> rx.Component:
    """The user once read; "Loading" until then; the banner when the API could not answer."""
    # A stage's own app, when it set one; this app's sign-in page is no next step from here.
    step = SETTINGS.next_step
    onward = [] if step.url == SIGN_IN_PAGE else [rx.link(step.label, href=step.url)]
    return rx.vstack(
        rx.heading(ACCOUNT_TITLE, size="7", as_="h1", id=ACCOUNT_HEADING, tab_index=-1),
        rx.cond(
            SessionState.username != "",
            rx.fragment(
                rx.text(
                    "You are signed in as ", rx.text.strong(SessionState.username), ".", size="3"
                ),
                account_details(),
                *onward,
            ),
            rx.el.p(
                rx.cond(SessionState.loading, "Loading your account…", ""),
                role="status",
                class_name="status",
            ),
        ),
        service_banner(SessionState.banner, SessionState.banner_request_id, SessionState.wait),
        sign_out_button(),
        rx.cond(SessionState.username != "", delete_section()),
        id="account",
        spacing="4",
        width="100%",
    )
