"""Reflex configuration of the sign-up web app; run it from `web/` (`make dev` does)."""

from __future__ import annotations

import reflex as rx

# The form validates with backend's own pure rules so it can never disagree
# with the API; `make setup` installs the checkout (backend and signup_web)
# into the virtual environment, so `reflex run` and its workers import both.

config = rx.Config(
    app_name="signup_web",
    frontend_port=3000,
    backend_port=8000,
    # Reachable from this machine only; deploy behind a reverse proxy.
    backend_host="127.0.0.1",
    telemetry_enabled=False,
    # In memory, never on disk: the form's state is short-lived and a sign-up
    # flow must never leave personal data in `.web/backend/states`. Set
    # REFLEX_REDIS_URL to run several backend workers.
    state_manager_mode=rx.constants.StateManagerMode.MEMORY,
    show_built_with_reflex=False,
    # appearance "inherit": light or dark follows the visitor's prefers-color-scheme.
    plugins=[
        rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", appearance="inherit"))
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
