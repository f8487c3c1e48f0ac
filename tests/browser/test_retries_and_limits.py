"""Abuse resistance in the browser: a lost answer retried safely, one visitor limited alone,
and each limited form telling the wait in words, counted down, its button unavailable."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from backend.config import DEFAULT_RATE_LIMIT_PER_ADDRESS
from contract.headers import FORWARDED_ADDRESS, FORWARDED_SECRET
from contract.routes import CREATE_USER, FORGOT_PAGE
from infra.local.secrets import CLIENT_ADDRESS_SECRET_FILE
from signup_web.delete_state import DELETE_BANNER
from tests.plugins.browser import WEB_TIMEOUT_SECONDS, visitor_address, visitor_context
from tests.support.accessibility import check_view
from tests.support.browser import wait_until_hydrated
from tests.support.journeys import (
    Person,
    confirm_with_password,
    fill_form,
    handler_calls,
    mails_to,
    register_directly,
    user_status,
    verify_link,
)
from tests.support.stage import outbox_settled
from tests.support.stage_process import LocalStageProcess
from tests.support.tcp_proxy import DelayProxy
from tests.support.users import new_identity, unique_signup

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
# Longer than the web UI waits for one answer: the first answer is lost to it.
LOST_ANSWER_SECONDS = WEB_TIMEOUT_SECONDS + 3
# The e2e stage's per-address limit, and how much of its window a test needs.
LIMIT = DEFAULT_RATE_LIMIT_PER_ADDRESS
WINDOW_LEFT_SECONDS = 25
NEW_PASSWORD = "gannet colony bass rock 1847"


def wait_for_mail(outbox: Path, address: str, *, timeout: float = 20.0) -> None:
    """Until the stage has mailed `address`: the sign-up was done, whatever its answer's fate."""
    deadline = time.monotonic() + timeout
    while not mails_to(outbox, address):
        assert time.monotonic() < deadline, f"no mail to {address}"
        time.sleep(0.1)


def test_an_answer_lost_past_the_timeout_is_retried_into_the_success_view(
    page: Page,
    person: Person,
    api_proxy: DelayProxy,
    e2e_stage: LocalStageProcess,
    outbox: Path,
) -> None:
    calls = handler_calls(e2e_stage)
    fill_form(page, person)
    # The API does the work; its answer is held until after the web UI gave up.
    api_proxy.delay_next_answer(LOST_ANSWER_SECONDS)
    page.get_by_role("button", name="Create account").click()
    # The retry carries the same Idempotency-Key: the first answer, replayed.
    heading = page.get_by_role("heading", name="Check your inbox")
    expect(heading).to_be_focused(timeout=30_000)
    wait_for_mail(outbox, person.email)
    expect(page.get_by_role("alert")).to_have_count(0)
    assert handler_calls(e2e_stage) >= calls + 2  # the lost attempt and its retry
    assert user_status(e2e_stage, person.username) == "pending"  # exactly one user
    assert len(mails_to(outbox, person.email)) == 1  # and one mail


@pytest.fixture
def two_visitors(browser: Browser, web_url: str) -> Iterator[tuple[str, Page, str, Page]]:
    """Two browsers at addresses of their own, each on the sign-up page."""
    contexts = []
    try:
        visitors: list[str | Page] = []
        for _ in range(2):
            address = visitor_address()
            context = visitor_context(browser, web_url, address)
            contexts.append(context)
            tab = context.new_page()
            tab.set_default_timeout(15_000)
            tab.goto("/")
            wait_until_hydrated(tab, "submit")
            visitors += [address, tab]
        yield visitors[0], visitors[1], visitors[2], visitors[3]  # type: ignore[misc]
    finally:
        for context in contexts:
            context.close()


def use_up_the_limit(
    stage: LocalStageProcess, address: str, *, needs: float = WINDOW_LEFT_SECONDS
) -> None:
    """Spend `address`'s whole budget, as its browser's earlier requests through the web UI would.

    Refused requests count too, so empty bodies (400) are enough; they go as
    the web UI sends them, the address vouched for by the stage's secret. The
    browser's own requests in this window count as well: the last may come sooner.
    The budget stays spent for at least `needs` seconds.
    """
    secret = (stage.data_dir / CLIENT_ADDRESS_SECRET_FILE).read_text("utf-8").strip()
    headers = {FORWARDED_ADDRESS: address, FORWARDED_SECRET: secret}
    # Windows are fixed (epoch multiples): start where this one has time left,
    # so the budget is not renewed before the browser asks.
    left = LIMIT.seconds - time.time() % LIMIT.seconds
    if left < needs:
        time.sleep(left + 0.5)
    with httpx.Client(base_url=stage.api_url, headers=headers, timeout=30.0) as client:
        answers = [client.post(CREATE_USER.path, json={}).status_code for _ in range(LIMIT.count)]
        assert set(answers) <= {400, 429}
        assert client.post(CREATE_USER.path, json={}).status_code == 429


def test_a_limited_visitor_does_not_limit_another(
    two_visitors: tuple[str, Page, str, Page], e2e_stage: LocalStageProcess
) -> None:
    limited_address, limited, other_address, other = two_visitors
    assert limited_address != other_address
    use_up_the_limit(e2e_stage, limited_address)
    first, second = (Person(**unique_signup(prefix)) for prefix in ("lim-", "oth-"))

    fill_form(limited, first)
    limited.get_by_role("button", name="Create account").click()
    banner = limited.locator("#banner")
    expect(banner).to_be_focused()
    expect(banner.get_by_role("alert")).to_contain_text("Too many attempts.")
    # The wait counts down inside the banner, outside its live region.
    expect(banner).to_contain_text("You can try again in")
    expect(limited.locator("#submit")).to_have_attribute("aria-disabled", "true")

    # Same web server, same API, another browser: its own budget is untouched.
    fill_form(other, second)
    other.get_by_role("button", name="Create account").click()
    expect(other.get_by_role("heading", name="Check your inbox")).to_be_focused()
    assert user_status(e2e_stage, second.username) == "pending"
    with pytest.raises(AssertionError):
        user_status(e2e_stage, first.username)  # the limited sign-up wrote nothing


@pytest.fixture
def visitor(browser: Browser, web_url: str) -> Iterator[tuple[str, Page]]:
    """A browser at an address of its own (use_up_the_limit spends its budget), and its tab."""
    address = visitor_address()
    context = visitor_context(browser, web_url, address)
    try:
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        yield address, tab
    finally:
        context.close()


def expect_the_wait(tab: Page, banner_id: str, refused: str, button_id: str) -> None:
    """The banner, focused, says what was refused; the wait counts down; the button waits."""
    banner = tab.locator(f"#{banner_id}")
    expect(banner).to_be_focused()
    expect(banner.get_by_role("alert")).to_have_text(refused)
    # The wait in words, counted down inside the banner, outside its live region.
    wait = tab.locator(f"#{banner_id}-wait")
    expect(wait).to_have_text(re.compile(r"You can try again in \d+ seconds?\."))
    expect(wait).not_to_have_text(wait.inner_text())
    button = tab.locator(f"#{button_id}")
    expect(button).to_have_attribute("aria-disabled", "true")
    expect(button).to_have_attribute("aria-describedby", banner_id)


def test_a_limited_visitor_asking_for_a_reset_link_is_told_the_wait(
    visitor: tuple[str, Page], e2e_stage: LocalStageProcess
) -> None:
    address, tab = visitor
    tab.goto(FORGOT_PAGE)
    wait_until_hydrated(tab, "send-reset-link")
    use_up_the_limit(e2e_stage, address)
    tab.get_by_label("Email address").fill("someone@example.com")
    tab.get_by_role("button", name="Send me a reset link").click()
    expect_the_wait(tab, "banner", "Too many requests for a reset link.", "send-reset-link")
    check_view(tab, "forgot-limited")


def test_a_limited_visitor_changing_the_password_is_told_the_wait(
    visitor: tuple[str, Page], e2e_stage: LocalStageProcess
) -> None:
    address, tab = visitor
    # The limit answers before the link is looked at: any token will do.
    tab.goto("/reset?token=" + "A" * 43)
    wait_until_hydrated(tab, "change-password")
    tab.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    tab.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    use_up_the_limit(e2e_stage, address)
    tab.get_by_role("button", name="Change my password").click()
    refused = "Too many attempts. Your password has not been changed."
    expect_the_wait(tab, "banner", refused, "change-password")
    check_view(tab, "reset-limited")


def test_a_limited_visitor_confirming_the_address_is_told_the_wait(
    visitor: tuple[str, Page], e2e_stage: LocalStageProcess, outbox: Path, mailed_url: str
) -> None:
    address, tab = visitor
    name = new_identity("ver-")
    email = f"{name}@example.com"
    register_directly(e2e_stage, name, email, NEW_PASSWORD)
    outbox_settled(e2e_stage)
    tab.goto(verify_link(outbox, email, mailed_url))
    tab.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    wait_until_hydrated(tab, "confirm")
    use_up_the_limit(e2e_stage, address)
    tab.get_by_role("button", name="Confirm my email").click()
    refused = "Too many attempts. Your address is not confirmed yet."
    expect_the_wait(tab, "banner", refused, "confirm")
    check_view(tab, "verify-limited")
    assert user_status(e2e_stage, name) == "pending"  # nothing was confirmed


def test_a_limited_visitor_deleting_the_account_or_signing_out_is_told_the_wait(
    visitor: tuple[str, Page], e2e_stage: LocalStageProcess, outbox: Path, mailed_url: str
) -> None:
    address, tab = visitor
    name = new_identity("del-")
    email = f"{name}@example.com"
    register_directly(e2e_stage, name, email, NEW_PASSWORD)
    outbox_settled(e2e_stage)
    confirm_with_password(tab, verify_link(outbox, email, mailed_url), NEW_PASSWORD)
    expect(tab.get_by_role("heading", name="Your account")).to_be_focused()
    tab.get_by_role("button", name="Delete account…").click()
    tab.get_by_label("Your password").fill(NEW_PASSWORD)
    # Time for both refusals and an axe check before the window renews the budget.
    use_up_the_limit(e2e_stage, address, needs=45)
    tab.get_by_role("button", name="Delete my account").click()
    refused = "Too many attempts. Your account has not been deleted."
    expect_the_wait(tab, DELETE_BANNER, refused, "confirm-delete")
    check_view(tab, "delete-limited")
    assert user_status(e2e_stage, name) == "verified"  # nothing was deleted
    # Both banners at once, each with its own ids (axe: ids referenced by ARIA are unique).
    tab.get_by_role("button", name="Sign out").click()
    expect_the_wait(tab, "banner", "Too many attempts. You are still signed in.", "sign-out")
    expect(tab.locator(f"#{DELETE_BANNER}")).to_be_visible()
    check_view(tab, "sign-out-limited")
