"""Every state of the sign-in, account and verify pages, reached on purpose through the stand-in.

axe-core in each at 375 and 1280 px, light and dark; focus where the sign-up
page puts it; no token anywhere the browser can read.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from contract.routes import ACCOUNT_PAGE, SIGN_IN_PAGE
from signup_web.session_state import SIGN_IN_FIRST, SIGNED_OUT
from signup_web.sign_in_state import CREDENTIALS_WRONG
from tests.browser.stand_in.api import (
    GOOD_TOKEN,
    LIMITED_LOGIN,
    PASSWORD,
    PENDING_LOGIN,
    StandIn,
)
from tests.plugins.browser import visitor_address, visitor_context
from tests.support.accessibility import check_view
from tests.support.browser import wait_until_hydrated
from tests.support.journeys import confirm_with_password, sign_in, token_traces

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
LINK = f"/verify?token={GOOD_TOKEN}"


@pytest.fixture
def watched(browser: Browser, web_url: str) -> Iterator[tuple[Page, list[str]]]:
    """A tab whose every websocket frame from the Reflex backend is kept."""
    context = visitor_context(browser, web_url, visitor_address())
    frames: list[str] = []
    try:
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        tab.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))
        yield tab, frames
    finally:
        context.close()


def asked_until(stand_in: StandIn, calls: list[str], *, timeout: float = 15.0) -> None:
    """Wait until the stand-in's last requests are `calls`."""
    deadline = time.monotonic() + timeout
    while stand_in.asked[-len(calls) :] != calls:
        assert time.monotonic() < deadline, stand_in.asked
        time.sleep(0.1)


def test_account_refreshes_a_stale_token_and_signs_out(
    watched: tuple[Page, list[str]], stand_in: StandIn
) -> None:
    page, frames = watched
    confirm_with_password(page, LINK, PASSWORD)
    expect(page.get_by_role("heading", name="Your account")).to_be_focused()
    expect(page.locator("#account-details")).to_contain_text(stand_in.user["email"])
    check_view(page, "account")

    stand_in.expire_access_token()
    page.reload()
    asked_until(stand_in, ["GET /me", "POST /refreshSession", "GET /me"])
    expect(page.locator("#account-details")).to_contain_text(stand_in.user["username"])
    assert token_traces(page, frames) == []

    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#farewell")).to_have_text(SIGNED_OUT)
    assert stand_in.asked[-1] == "POST /signOut"
    wait_until_hydrated(page, "sign-in")
    check_view(page, "sign-in-signed-out")
    page.goto(ACCOUNT_PAGE)
    expect(page.locator("#farewell")).to_have_text(SIGN_IN_FIRST)
    assert token_traces(page, frames) == []


def test_verify_wrong_password_stays_then_the_right_one_signs_in(
    page: Page, stand_in: StandIn
) -> None:
    confirm_with_password(page, LINK, "not the password at all")
    field = page.get_by_label("Password", exact=True)
    expect(field).to_be_focused()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#verify-password-error")).to_contain_text("password_mismatch")
    check_view(page, "verify-wrong-password")
    field.fill(PASSWORD)
    page.locator("#confirm").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_focused()
    assert stand_in.asked[-3:] == ["POST /verifyEmail", "POST /signIn", "GET /me"]


def test_confirmed_but_not_signed_in_offers_sign_in(page: Page, stand_in: StandIn) -> None:
    with stand_in.lock:
        stand_in.user = {**stand_in.user, "username": LIMITED_LOGIN}  # its sign-in is refused
    confirm_with_password(page, LINK, PASSWORD)
    expect(page.get_by_role("heading", name="Your email address is confirmed")).to_be_focused()
    expect(page.locator("#verified")).to_contain_text("Sign in to continue.")
    expect(page.get_by_role("link", name="Sign in")).to_have_attribute("href", SIGN_IN_PAGE)
    check_view(page, "verify-confirmed-not-signed-in")


def test_wrong_credentials_are_summarised(page: Page) -> None:
    sign_in(page, "EmmyNoether", "not the password at all")
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#login-error")).to_have_text(f"Error: {CREDENTIALS_WRONG}")
    check_view(page, "sign-in-wrong")


def test_unverified_is_told_to_confirm_and_gets_a_new_link(page: Page) -> None:
    sign_in(page, PENDING_LOGIN, PASSWORD)
    expect(page.get_by_role("heading", name="Confirm your email address first")).to_be_focused()
    expect(page.get_by_label("Email address")).to_have_value(PENDING_LOGIN)
    check_view(page, "sign-in-unverified")
    page.get_by_role("button", name="Send me a new link").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_focused()
    page.get_by_role("button", name="Start again with a different one").click()
    expect(page.get_by_label("Username or email address")).to_be_focused()


def test_limit_says_the_wait_in_words_and_sends_nothing_meanwhile(
    page: Page, stand_in: StandIn
) -> None:
    sign_in(page, LIMITED_LOGIN, "whatever was typed")
    banner = page.locator("#banner")
    expect(banner).to_be_focused()
    expect(banner).to_contain_text("You can try again in about 15 minutes.")
    button = page.get_by_role("button", name="Sign in", exact=True)
    expect(button).to_have_attribute("aria-disabled", "true")
    check_view(page, "sign-in-limited")
    asked = len(stand_in.asked)
    button.press("Enter")  # aria-disabled, not disabled: it keeps focus and refuses
    expect(banner).to_be_focused()
    assert len(stand_in.asked) == asked
