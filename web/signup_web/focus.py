"""Moving keyboard focus after a server answer, so it never falls back to <body>.

A handler returns `focus_on(id)` with the state change that renders the
target; the browser may run the event before React has drawn the new view,
so the script retries on each animation frame for about a second.
"""

from __future__ import annotations

import json
from typing import Final

import reflex as rx
from reflex.event import EventSpec

ERROR_SUMMARY: Final = "error-summary"
BANNER: Final = "banner"
# Frames to wait for the target to appear (about a second at 60 Hz).
_FRAMES: Final = 60


def focus_script(element_id: str) -> str:
    """JavaScript that focuses the element with `element_id` once it is on the page."""
    target = json.dumps(element_id)
    return (
        f"(() => {{ let frames = {_FRAMES}; const go = () => {{"
        f" const el = document.getElementById({target});"
        " if (el && el.offsetParent !== null) {"
        " el.focus(); el.scrollIntoView({block: 'nearest'}); }"
        " else if (frames-- > 0) { requestAnimationFrame(go); } };"
        " requestAnimationFrame(go); })()"
    )


def focus_on(element_id: str) -> EventSpec:
    """An event that moves focus to `element_id` (a heading or summary needs tabindex -1)."""
    return rx.call_script(focus_script(element_id))
