"""Build the app and its pages; everything else lives in the sibling modules."""

from __future__ import annotations

import reflex as rx

from contract.routes import ACCOUNT_PAGE, FORGOT_PAGE, RESET_PAGE, SIGN_IN_PAGE, VERIFY_PAGE
from signup_web.layout import page_shell
from signup_web.not_found_view import not_found_title, not_found_view
from signup_web.page_paths import SlashlessPages
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

# Each page's meta description (search results show it; Lighthouse's SEO audit asks for it).
from signup_web.recovery_pages import (
    FORGOT_ON_LOAD,
    RESET_ON_LOAD,
    forgot_page,
    forgot_title,
    reset_page,
    reset_title,
)
from signup_web.services import SETTINGS

# Each page's meta description (search results show it; Lighthouse's SEO audit asks for it).
PAGE_DESCRIPTION = (
    f"Create your {SETTINGS.product_name} account, confirm your email address and sign in."
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
    # The mailed links' paths answer 200 locally, not a 307 to a slashed path.
    api_transformer=lambda asgi: SlashlessPages(
        asgi, (VERIFY_PAGE, SIGN_IN_PAGE, ACCOUNT_PAGE, FORGOT_PAGE, RESET_PAGE)
    ),
)
_PAGES = (
    (signup_page, "/", signup_title(), SIGNUP_ON_LOAD),
    (verify_page, VERIFY_PAGE, verify_title(), VERIFY_ON_LOAD),
    (sign_in_page, SIGN_IN_PAGE, sign_in_title(), SIGN_IN_ON_LOAD),
    (account_page, ACCOUNT_PAGE, account_title(), ACCOUNT_ON_LOAD),
    (forgot_page, FORGOT_PAGE, forgot_title(), FORGOT_ON_LOAD),
    (reset_page, RESET_PAGE, reset_title(), RESET_ON_LOAD),
)
for component, route, title, on_load in _PAGES:
    app.add_page(component, route=route, title=title, on_load=on_load, description=PAGE_DESCRIPTION)
# A path no page has: the product's layout and a way back, served with status 404.
app.add_page(
    lambda: page_shell(not_found_view()),
    route="404",
    title=not_found_title(),
    description=PAGE_DESCRIPTION,
)
