"""The two pages: sign-up (`/`) and verify (`/verify`), each a shell around its views."""

from __future__ import annotations

import reflex as rx

from signup_web.focus import focus_script
from signup_web.form_view import FORM_HEADING, signup_form
from signup_web.inbox_state import InboxState
from signup_web.inbox_view import INBOX_TITLE, inbox_view
from signup_web.layout import page_shell
from signup_web.services import SETTINGS
from signup_web.state import SignupState
from signup_web.verify_state import VerifyState
from signup_web.verify_view import verify_content, verify_title

__all__ = ["signup_page", "signup_title", "verify_page", "verify_title"]
# A load of a page starts it afresh: a reload after a sign-up (or errors)
# shows an empty form, and nothing of one visitor is left for the next.
SIGNUP_ON_LOAD = [SignupState.start_over, InboxState.close]
VERIFY_ON_LOAD = [VerifyState.arrive, InboxState.close]


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
