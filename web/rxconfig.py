"""Reflex configuration of the sign-up web app; run it from `web/` (`make dev` does)."""

from __future__ import annotations

import reflex as rx

from signup_web.first_paint import PaintBeforeScripts
from signup_web.hosting import BACKEND_PATH
from signup_web.radix_css import LeanRadixThemes

# The form validates with backend's own pure rules so it can never disagree
# with the API; `make setup` installs the checkout (backend and signup_web)
# into the virtual environment, so `reflex run` and its workers import both.

config = rx.Config(
    app_name="signup_web",
    # No frontend_port or backend_port here: `reflex run --backend-only` (the
    # hosted container) refuses a configured frontend port, and every command
    # that serves both halves passes its ports (make web, infra/local/web.py).
    # The hosted split puts the backend under one path of the page's origin.
    backend_path=BACKEND_PATH,
    # Reachable from this machine only; the container image sets
    # REFLEX_BACKEND_HOST=0.0.0.0 so the load balancer can reach it.
    backend_host="127.0.0.1",
    telemetry_enabled=False,
    # In memory, never on disk: the form's state is short-lived and a sign-up
    # flow must never leave personal data in `.web/backend/states`. Set
    # REFLEX_REDIS_URL to run several backend workers.
    state_manager_mode=rx.constants.StateManagerMode.MEMORY,
    show_built_with_reflex=False,
    # appearance "inherit": light or dark follows the visitor's prefers-color-scheme.
    # Only the colour scales the pages use (signup_web/radix_css.py).
    # The built pages load their JavaScript after the first paint (signup_web/first_paint.py).
    plugins=[
        LeanRadixThemes(theme=rx.theme(accent_color="indigo", appearance="inherit")),
        PaintBeforeScripts(),
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
