"""Build the app and its pages; everything else lives in the sibling modules."""

from __future__ import annotations

import reflex as rx

from contract.routes import ACCOUNT_PAGE, FORGOT_PAGE, RESET_PAGE, SIGN_IN_PAGE, VERIFY_PAGE
from signup_web.pages import (
    ACCOUNT_ON_LOAD,
    SIGN_IN_ON_LOAD,
    SIGNUP_ON_LOAD,
    VERIFY_ON_LOAD,
    account_page,
    account_title,
    sign_in_page,
    sign_in_title,
    signup_page,
    signup_title,
    verify_page,
    verify_title,
)
from signup_web.recovery_pages import (
    FORGOT_ON_LOAD,
    RESET_ON_LOAD,
    forgot_page,
    forgot_title,
    reset_page,
    reset_title,
)

app = rx.App(
    head_components=[
        # The verify and reset pages' URLs hold a token: never send it to another origin.
        rx.el.meta(name="referrer", content="no-referrer"),
        rx.el.link(rel="icon", href="/favicon.ico", sizes="32x32"),
        rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml"),
    ],
    stylesheets=["/signup.css"],
    html_lang="en",
)
app.add_page(signup_page, route="/", title=signup_title(), on_load=SIGNUP_ON_LOAD)
app.add_page(verify_page, route=VERIFY_PAGE, title=verify_title(), on_load=VERIFY_ON_LOAD)
app.add_page(sign_in_page, route=SIGN_IN_PAGE, title=sign_in_title(), on_load=SIGN_IN_ON_LOAD)
app.add_page(account_page, route=ACCOUNT_PAGE, title=account_title(), on_load=ACCOUNT_ON_LOAD)
app.add_page(forgot_page, route=FORGOT_PAGE, title=forgot_title(), on_load=FORGOT_ON_LOAD)
app.add_page(reset_page, route=RESET_PAGE, title=reset_title(), on_load=RESET_ON_LOAD)
