"""The banner for problems of the service (unreachable, busy, refusing the whole request)."""

from __future__ import annotations

import reflex as rx

from signup_web.focus import BANNER


def service_banner(text: rx.Var[str], request_id: rx.Var[str]) -> rx.Component:
    """Shown while `text` is set; takes focus after the answer that filled it (focus.BANNER)."""
    return rx.cond(
        text != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle-alert", aria_hidden="true")),
            rx.callout.text(text),
            rx.cond(
                request_id != "",
                # A ghost code takes the callout's own colours: its contrast is the
                # callout text's, which axe can compute (a tinted code box it cannot).
                rx.callout.text("Request id: ", rx.code(request_id, variant="ghost"), size="1"),
            ),
            id=BANNER,
            tab_index=-1,
            role="alert",
            color_scheme="red",
            width="100%",
        ),
    )
