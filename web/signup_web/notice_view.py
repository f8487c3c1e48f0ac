"""The banner for problems of the service (unreachable, busy, refusing the whole request)."""

from __future__ import annotations

import reflex as rx

from signup_web.focus import BANNER


def service_banner(
    text: rx.Var[str],
    request_id: rx.Var[str],
    wait: rx.Var[str] | None = None,
    *,
    banner_id: str = BANNER,
) -> rx.Component:
    """Shown while `text` is set; takes focus after the answer that filled it (focus.BANNER).

    The one place a page shows problems of the service, limits included:
    `wait` (waits.LimitWait.wait, "in 45 seconds") counts down inside it.
    Only the message is a live region (role="alert"); the countdown is not,
    or a screen reader would read the banner out again every second. Focus
    on the banner reads all of it, the wait included. `banner_id` is for a
    page with a second banner (the account view's delete section): ids and
    the aria-describedby that names one must stay unique.
    """
    countdown = (
        []
        if wait is None
        else [
            rx.cond(
                wait != "",
                rx.callout.text("You can try again ", wait, ".", id=f"{banner_id}-wait"),
            )
        ]
    )
    return rx.cond(
        text != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle-alert", aria_hidden="true")),
            rx.callout.text(text, role="alert"),
            *countdown,
            rx.cond(
                request_id != "",
                # A ghost code takes the callout's own colours: its contrast is the
                # callout text's, which axe can compute (a tinted code box it cannot).
                rx.callout.text("Request id: ", rx.code(request_id, variant="ghost"), size="1"),
            ),
            id=banner_id,
            tab_index=-1,
            color_scheme="red",
            width="100%",
        ),
    )
