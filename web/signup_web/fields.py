"""Pieces every form field is built from: label, hint, error and the input itself.

GOV.UK's pattern: a visible label, the hint under it, the error (prefixed
"Error:" for screen readers) above the input, and the input marked invalid by
a thicker red border and an icon, never by colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import reflex as rx

from contract.routes import SIGN_IN_PAGE
from signup_web.focus import ERROR_SUMMARY, focus_script


def visually_hidden(text: str) -> rx.Component:
    """Text for screen readers only."""
    return rx.el.span(text, class_name="visually-hidden")


def field_label(field_id: str, label: str) -> rx.Component:
    """The field's <label>; every field is required, so none says "optional"."""
    return rx.el.label(label, html_for=field_id, class_name="field-label")


def field_hint(field_id: str, text: str | rx.Var[str]) -> rx.Component:
    """Guidance shown before the person types, linked to the input by id."""
    return rx.text(text, id=f"{field_id}-hint", size="2", class_name="field-hint")


def field_error(field_id: str, message: rx.Var[str]) -> rx.Component:
    """The field's error; a polite live region (always on the page, so it is announced once)."""
    return rx.el.p(
        rx.cond(
            message != "",
            rx.fragment(
                rx.icon("circle-alert", size=16, aria_hidden="true"),
                visually_hidden("Error: "),
                rx.el.span(message),
            ),
        ),
        id=f"{field_id}-error",
        aria_live="polite",
        class_name="field-error",
    )


def text_input(
    field_id: str, *, error: rx.Var[str], describedby: str | rx.Var[str], **props: Any
) -> rx.Component:
    """A required input; marked invalid (border, icon, aria-invalid) while `error` is set."""
    return rx.input(
        rx.cond(
            error != "",
            rx.input.slot(
                rx.icon("circle-alert", size=18, aria_hidden="true"),
                side="right",
                class_name="field-invalid-icon",
            ),
        ),
        id=field_id,
        name=field_id,
        required=True,
        spell_check=False,
        auto_capitalize="none",
        aria_invalid=rx.cond(error != "", "true", "false"),
        aria_describedby=describedby,
        size="3",
        width="100%",
        **props,
    )


def form_group(field_id: str, label: str, *children: rx.Component) -> rx.Component:
    """A labelled field with its hint, error and extras, stacked."""
    return rx.vstack(
        field_label(field_id, label), *children, spacing="1", width="100%", id=f"{field_id}-group"
    )


def error_summary(shown: rx.Var[bool], entries: Sequence[tuple[str, rx.Var[str]]]) -> rx.Component:
    """GOV.UK's error summary: each (field id, message) as a link to its field; focused after a
    refusal (focus.ERROR_SUMMARY)."""
    items = [
        rx.cond(
            message != "",
            rx.el.li(
                rx.el.a(
                    message,
                    href=f"#{field_id}",
                    # Focus the field itself; a fragment navigation would go through the router.
                    on_click=[rx.prevent_default, rx.call_script(focus_script(field_id))],
                )
            ),
        )
        for field_id, message in entries
    ]
    return rx.cond(
        shown,
        rx.box(
            rx.heading("There is a problem", as_="h2", size="4", id="error-summary-title"),
            rx.el.ul(*items, class_name="error-summary-list"),
            id=ERROR_SUMMARY,
            tab_index=-1,
            aria_labelledby="error-summary-title",
            class_name="error-summary",
        ),
    )


def sign_in_prompt(question: str) -> rx.Component:
    """A line that leads to the sign-in page, e.g. "Already have an account? Sign in"."""
    return rx.text(
        f"{question} ",
        rx.link("Sign in", href=SIGN_IN_PAGE, underline="always", id="sign-in-link"),
        size="2",
        class_name="sign-in-prompt",
    )
