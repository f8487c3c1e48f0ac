"""Sign-in, the account view and sign-out in Chromium against a local stage, axe in each state.

The first two tests need only the pages; the others need the stage's
`/signIn`, `/refreshSession`, `/signOut`, `GET /me` and `/verifyEmail` with
the password (issues 20 and 22's backend).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from contract.routes import ACCOUNT_PAGE, SIGN_IN_PAGE
from signup_web.session_state import SIGN_IN_FIRST, SIGNED_OUT
from signup_web.settings import WebSettings
from signup_web.sign_in_state import CREDENTIALS_WRONG, LOGIN_REQUIRED, PASSWORD_REQUIRED
from tests.plugins.browser import visitor_address, visitor_context
from tests.support.accessibility import check_view
from tests.support.browser import wait_until_hydrated
from tests.support.journeys import (
    Person,
    confirm_with_password,
    fill_form,
    register_directly,
    sign_in,
    token_traces,
    user_status,
    verify_link,
)
from tests.support.secrets import PASSWORDS
from tests.support.stage_process import LocalStageProcess

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
PRODUCT = WebSettings.from_env(os.environ).product_name
# The people the README's screenshots show.
EMMY = Person("EmmyNoether", "emmy@example.com", "invariant ring theory 1918")
SOFIA = Person("SofiaKovalevskaya", "sofia@example.com", "spinning tops and waves 1888")
# Wrong guesses one visitor may make before the API's default limit (5/900) refuses it.
GUESSES_BEFORE_LIMIT = 5


def open_sign_in(page: Page) -> None:
    """The sign-in page, hydrated."""
    page.goto(SIGN_IN_PAGE)
    wait_until_hydrated(page, "sign-in")


def test_sign_in_page_summarises_what_is_missing(page: Page) -> None:
    open_sign_in(page)
    expect(page).to_have_title(f"Sign in – {PRODUCT}")
    login = page.get_by_label("Username or email address")
    expect(login).to_have_attribute("autocomplete", "username")
    expect(page.get_by_label("Password", exact=True)).to_have_attribute(
        "autocomplete", "current-password"
    )
    check_view(page, "sign-in-empty")
    page.get_by_role("button", name="Sign in", exact=True).click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(2)
    expect(page).to_have_title(f"Error: Sign in – {PRODUCT}")
    expect(page.locator("#login-error")).to_have_text(f"Error: {LOGIN_REQUIRED}")
    expect(page.locator("#password-error")).to_have_text(f"Error: {PASSWORD_REQUIRED}")
    check_view(page, "sign-in-errors")
    summary.get_by_role("link", name=LOGIN_REQUIRED).click()
    expect(login).to_be_focused()


def test_the_sign_up_form_links_to_sign_in_and_the_account_needs_a_session(page: Page) -> None:
    page.get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto(ACCOUNT_PAGE)
    expect(page).to_have_url(re.compile(f"{SIGN_IN_PAGE}$"))
    expect(page.locator("#farewell")).to_have_text(SIGN_IN_FIRST)
    wait_until_hydrated(page, "sign-in")
    check_view(page, "sign-in-account-needs-a-session")


def test_confirming_signs_in_and_the_session_never_reaches_the_browser(
    browser: Browser, web_url: str, e2e_stage: LocalStageProcess, outbox: Path, mailed_url: str
) -> None:
    # A tab of its own, so every websocket frame the Reflex backend sends is seen.
    context = visitor_context(browser, web_url, visitor_address())
    frames: list[str] = []
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))
        page.goto("/")
        wait_until_hydrated(page, "submit")
        fill_form(page, EMMY)
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_role("heading", name="Check your inbox")).to_be_focused()

        confirm_with_password(page, verify_link(outbox, EMMY.email, mailed_url), EMMY.password)
        heading = page.get_by_role("heading", name="Your account")
        expect(heading).to_be_focused()
        expect(page).to_have_title(f"Your account – {PRODUCT}")
        expect(page.locator("#account-details")).to_contain_text(EMMY.username)
        expect(page.locator("#account-details")).to_contain_text(EMMY.email)
        assert user_status(e2e_stage, EMMY.username) == "verified"
        check_view(page, "account")
        # A reload reads the account again with the session the server kept.
        page.reload()
        expect(page.locator("#account-details")).to_contain_text(EMMY.username)
        assert token_traces(page, frames) == []

        page.get_by_role("button", name="Sign out").click()
        expect(page.locator("#farewell")).to_have_text(SIGNED_OUT)
        wait_until_hydrated(page, "sign-in")
        check_view(page, "sign-in-signed-out")
        page.goto(ACCOUNT_PAGE)  # the session is gone: back to sign-in
        expect(page.locator("#farewell")).to_have_text(SIGN_IN_FIRST)

        sign_in(page, EMMY.email.upper(), EMMY.password)  # by address, any case
        expect(page.get_by_role("heading", name="Your account")).to_be_focused()
        expect(page.locator("#account-details")).to_contain_text(EMMY.username)
        assert token_traces(page, frames) == []
    finally:
        context.close()


def test_a_wrong_password_and_an_unknown_login_read_the_same(
    page: Page, e2e_stage: LocalStageProcess
) -> None:
    register_directly(e2e_stage, SOFIA.username, SOFIA.email, SOFIA.password)
    texts = []
    for login, password in ((SOFIA.username, PASSWORDS[0]), ("nobody-here", SOFIA.password)):
        sign_in(page, login, password)
        summary = page.locator("#error-summary")
        expect(summary).to_be_focused()
        expect(page.locator("#login-error")).to_have_text(f"Error: {CREDENTIALS_WRONG}")
        texts.append(summary.inner_text())
    assert texts[0] == texts[1]
    check_view(page, "sign-in-wrong")


def test_a_pending_sign_up_is_told_to_confirm_and_offered_a_new_link(
    page: Page, e2e_stage: LocalStageProcess, person: Person
) -> None:
    register_directly(e2e_stage, person.username, person.email, person.password)
    sign_in(page, person.email, person.password)
    heading = page.get_by_role("heading", name="Confirm your email address first")
    expect(heading).to_be_focused()
    field = page.get_by_label("Email address")
    expect(field).to_have_value(person.email)
    check_view(page, "sign-in-unverified")
    page.get_by_role("button", name="Send me a new link").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_focused()
    page.get_by_role("button", name="Start again with a different one").click()
    expect(page.get_by_label("Username or email address")).to_be_focused()


def test_too_many_wrong_passwords_say_the_wait_in_words(
    page: Page, e2e_stage: LocalStageProcess, person: Person
) -> None:
    register_directly(e2e_stage, person.username, person.email, person.password)
    banner = page.locator("#banner")
    for _ in range(GUESSES_BEFORE_LIMIT + 1):
        sign_in(page, person.username, PASSWORDS[0])
        expect(page.locator("#error-summary").or_(banner)).to_be_focused()
    expect(banner).to_contain_text("Too many attempts to sign in.")
    # The window is fixed (aligned to the clock), so the wait left is anything up to 15
    # minutes: "in 41 seconds" or "in about 12 minutes", always in words.
    expect(banner).to_contain_text(re.compile(r"You can try again in (about )?\d+ (second|minute)"))
    button = page.get_by_role("button", name="Sign in", exact=True)
    expect(button).to_have_attribute("aria-disabled", "true")
    check_view(page, "sign-in-limited")
