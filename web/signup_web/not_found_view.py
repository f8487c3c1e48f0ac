"""The page for a path no page has (a mistyped or truncated mailed link): a way back."""

from __future__ import annotations

from typing import Final

import reflex as rx

from contract.routes import SIGN_IN_PAGE
from signup_web.services import SETTINGS

NOT_FOUND_TITLE: Final = "Page not found"
NOT_FOUND_HEADING: Final = "not-found-heading"


def not_found_view() -> rx.Component:
    """A heading, one line of help and the two pages a person most likely wanted."""
    return rx.vstack(
        rx.heading(NOT_FOUND_TITLE, size="7", as_="h1", id=NOT_FOUND_HEADING, tab_index=-1),
        rx.text(
            "If you followed a link from one of our emails, copy the whole link from the mail"
            " into the address bar; a link cut short does not work.",
            size="3",
        ),
        rx.el.ul(
            rx.el.li(rx.link("Create an account", href="/", underline="always")),
            rx.el.li(rx.link("Sign in", href=SIGN_IN_PAGE, underline="always")),
            class_name="onward-links",
        ),
        id="not-found",
        spacing="4",
        width="100%",
    )


def not_found_title() -> str:
    """The document's title of the 404 page."""
    return f"{NOT_FOUND_TITLE} – {SETTINGS.product_name}"
