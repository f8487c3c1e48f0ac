"""Buttons that say what they are doing, and that wait out a limit without looking broken.

Every page's submit and resend button is built here, so the next page (a
password reset, say) gets the same behaviour by calling `action_button`:

- busy: the label turns into words ("Signing in…"), never a bare spinner;
- waiting: `aria-disabled` (announced as unavailable; a real `disabled` would
  drop keyboard focus to <body>) and described by the line that says how long;
- before hydration: really disabled, or a click would submit the prerendered
  form natively, outside Reflex.

The handler itself still refuses while busy or waiting: aria-disabled only tells.
"""

from __future__ import annotations

from typing import Any

import reflex as rx


def true_false(flag: rx.Var[bool]) -> rx.Var[str]:
    """A boolean as the "true"/"false" an aria attribute wants."""
    return rx.cond(flag, "true", "false")


def action_button(
    label: str,
    busy_label: str,
    *,
    button_id: str,
    busy: rx.Var[bool],
    waiting: rx.Var[bool] | None = None,
    wait_id: str = "",
    **props: Any,
) -> rx.Component:
    """A button whose words follow its state; `wait_id` names the line saying how long to wait."""
    unavailable = busy if waiting is None else busy | waiting
    extra: dict[str, Any] = {}
    if waiting is not None:
        extra["class_name"] = rx.cond(waiting, "waiting", "")
        if wait_id:
            extra["aria_describedby"] = rx.cond(waiting, wait_id, "")
    return rx.button(
        rx.cond(busy, busy_label, label),
        id=button_id,
        size="3",
        disabled=~rx.State.is_hydrated,
        aria_disabled=true_false(unavailable),
        **extra,
        **props,
    )


def wait_line(line_id: str, words: rx.Var[str]) -> rx.Component:
    """How long until an action may be used, in words (empty once it may)."""
    # Not a live region: a line that changes each second would talk over everything;
    # the banner announced the wait once, and the button is described by this line.
    return rx.text(words, id=line_id, size="2", class_name="field-hint")
