"""Build the app and its one page; everything else lives in the sibling modules."""

from __future__ import annotations

import reflex as rx

from signup_web.components import signup_page

app = rx.App()
app.add_page(signup_page, route="/", title="Sign up")
