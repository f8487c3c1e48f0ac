"""The verify page's views: confirm, confirmed, expired, invalid, and asking for a new link."""

from __future__ import annotations

from typing import Final

import reflex as rx

from signup_web.fields import field_error, form_group, text_input
from signup_web.focus import focus_script
from signup_web.inbox_state import NEW_LINK_EMAIL, InboxState
from signup_web.inbox_view import INBOX_TITLE, inbox_view
from signup_web.notice_view import service_banner
from signup_web.services import SETTINGS
from signup_web.verify_state import CONFIRM, EXPIRED, INVALID, VERIFIED, VERIFY_HEADING, VerifyState

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


def confirm_view() -> rx.Component:
    """What the mailed link opens: nothing happens until the person presses the button."""
    return rx.vstack(
        _heading(CONFIRM),
        rx.text("Press the button to confirm this address and finish signing up.", size="3"),
        service_banner(VerifyState.banner, VerifyState.banner_request_id),
        rx.button(
            "Confirm my email",
            type="button",
            id="confirm",
            size="3",
            width="100%",
            loading=VerifyState.pending,
            # Before hydration a click would do nothing; while pending, keep focus.
            disabled=~rx.State.is_hydrated,
            aria_disabled=_busy(VerifyState.pending),
            on_click=VerifyState.confirm,
        ),
        spacing="4",
        width="100%",
    )


def verified_view() -> rx.Component:
    """The address is confirmed: name the person, offer the next step."""
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
        next_step_button(),
        id="verified",
        spacing="4",
        width="100%",
    )


def new_link_form() -> rx.Component:
    """Ask for a new link by address (the token alone does not say whose it was)."""
    waiting = InboxState.cooldown > 0
    error = InboxState.email_error
    return rx.form(
        rx.vstack(
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
                ),
            ),
            service_banner(InboxState.banner, InboxState.banner_request_id),
            rx.button(
                "Send me a new link",
                type="submit",
                id="new-link",
                size="3",
                width="100%",
                loading=InboxState.sending,
                disabled=~rx.State.is_hydrated,
                aria_disabled=_busy(waiting | InboxState.sending),
            ),
            rx.cond(
                waiting,
                rx.text(
                    "You can ask again in " + InboxState.cooldown.to_string() + " s.", size="2"
                ),
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
