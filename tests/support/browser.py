"""Debian's Chromium for the browser tests and the hosted-page proof: where, and how it starts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM: Final = Path("/usr/bin/chromium")
# Without the networking switches Chromium keeps calling home on a closed network.
CHROMIUM_ARGS: Final = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# A small phone: every test runs at the narrowest width the form must support.
PHONE: Final = {"width": 375, "height": 812}

# Reflex enables a form's button once it has hydrated the page. Hydration starts after the
# first paint (web/signup_web/first_paint.py holds the scripts until then, at most 3 s after
# `load`) and then runs the app: on a loaded two-core machine it once took longer than a
# step's 15 s, so this one wait is given more.
HYDRATION_TIMEOUT_MS: Final = 45_000


def wait_until_hydrated(page: Page, button: str) -> None:
    """Wait until the button with id `button` is enabled: Reflex has hydrated the page."""
    page.locator(f"#{button}:not([disabled])").wait_for(timeout=HYDRATION_TIMEOUT_MS)
