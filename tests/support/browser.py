"""Debian's Chromium for the browser tests and the hosted-page proof: where, and how it starts."""

from __future__ import annotations

from pathlib import Path
from typing import Final

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
