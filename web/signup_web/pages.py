"""The pages: sign-up (`/`), verify, sign-in and the account view, each a shell around its views."""

from __future__ import annotations

import reflex as rx

from signup_web.account_view import ACCOUNT_TITLE, account_view
from signup_web.focus import focus_script
from signup_web.form_view import FORM_HEADING, signup_form
from signup_web.inbox_state import InboxState
from signup_web.inbox_view import INBOX_TITLE, inbox_view
from signup_web.layout import page_shell
from signup_web.services import SETTINGS
from signup_web.session_state import SessionState
from signup_web.sign_in_state import SignInState
from signup_web.sign_in_view import sign_in_content, sign_in_title
from signup_web.state import SignupState
from signup_web.verify_state import VerifyState
from signup_web.verify_view import verify_content, verify_title

__all__ = [
    "account_page",
    "account_title",
    "sign_in_page",
    "sign_in_title",
    "signup_page",
    "signup_title",
    "verify_page",
    "verify_title",
]
# A load of a page starts its form afresh: a reload after errors shows an
# empty form. Check-your-inbox survives a reload of the sign-up page (the
# person is waiting for a mail, and the view says where it went); "Start
# again with a different one" closes it.
SIGNUP_ON_LOAD = [SignupState.start_over, InboxState.stay]
VERIFY_ON_LOAD = [VerifyState.arrive, InboxState.close]
SIGN_IN_ON_LOAD = [SignInState.arrive, InboxState.close]
# The session is kept across loads (it is the point of signing in): reading
# the account is what each load does, or the sign-in page without a session.
ACCOUNT_ON_LOAD = [SessionState.load_account]


def signup_page() -> rx.Component:
    """The form, or check-your-inbox once the API accepted it."""
    # The button that was clicked goes away with the view: focus the first field.
    start_over = [
        InboxState.close,
        SignupState.start_over,
        rx.call_script(focus_script("username")),
    ]
    # Until the page's on_load has run, the state may still be a previous visit's.
    inbox_open = rx.State.is_hydrated & (InboxState.address != "")
    return page_shell(rx.cond(inbox_open, inbox_view(start_over), signup_form()))


def signup_title() -> rx.Var[str]:
    """The document's title for the view shown; GOV.UK prefixes "Error:" while errors show."""
    form = rx.cond(
        SignupState.summary_shown & SignupState.has_errors, f"Error: {FORM_HEADING}", FORM_HEADING
    )
    view = rx.cond(InboxState.address != "", INBOX_TITLE, form)
    return view + f" – {SETTINGS.product_name}"


def verify_page() -> rx.Component:
    """The page a mailed link opens."""
    return page_shell(verify_content())


def sign_in_page() -> rx.Component:
    """The sign-in form (and what a refused sign-in leads to)."""
    return page_shell(sign_in_content())


def account_page() -> rx.Component:
    """The signed-in account view."""
    return page_shell(account_view())


def account_title() -> str:
    """The account view's document title."""
    return f"{ACCOUNT_TITLE} – {SETTINGS.product_name}"
