"""The sign-up form in Chromium at 375 px, against a real local stage."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import Page, expect

from backend.rules import password_problem
from infra.local.process import LocalStageProcess
from signup_web.settings import WebSettings
from tests.e2e.helpers import Person, fill_form, handler_calls, register_directly

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_signup_success_names_the_new_user(
    page: Page, person: Person, e2e_stage: LocalStageProcess
) -> None:
    calls = handler_calls(e2e_stage)
    fill_form(page, person)
    expect(page.locator("#password-strength")).to_contain_text("Strength:")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name=f"Welcome, {person.username}!")).to_be_visible()
    expect(page.locator("#success")).to_contain_text(person.email)
    assert handler_calls(e2e_stage) == calls + 1  # exactly one request
    # Nothing the user typed survives the success view.
    assert page.locator("input[type=password]").count() == 0


def test_too_short_password_is_stopped_before_any_request(
    page: Page, person: Person, e2e_stage: LocalStageProcess
) -> None:
    calls = handler_calls(e2e_stage)
    # Shorter than any minimum a stage may set (8), whatever PASSWORD_MIN_LENGTH says.
    fill_form(page, Person(person.username, person.email, "short"))
    page.get_by_role("button", name="Create account").click()
    # The policy the web UI was started with (it inherits this environment).
    expected = password_problem("short", policy=WebSettings.from_env(os.environ).policy)
    assert expected is not None
    password = page.get_by_label("Password", exact=True)
    expect(page.locator("#password-error")).to_have_text(expected.message)
    expect(password).to_have_attribute("aria-invalid", "true")
    assert "password-error" in (password.get_attribute("aria-describedby") or "").split()
    page.wait_for_timeout(500)  # a request, had one been sent, would have landed by now
    assert handler_calls(e2e_stage) == calls
    expect(page.locator("#success")).to_have_count(0)


def test_duplicate_username_is_shown_under_its_field(
    page: Page, person: Person, e2e_stage: LocalStageProcess
) -> None:
    register_directly(e2e_stage, person.username.upper(), f"other-{person.email}")
    fill_form(page, person)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#username-error")).to_have_text("This username is already taken.")
    expect(page.locator("#email-error")).to_have_text("")
    expect(page.get_by_label("Username")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#success")).to_have_count(0)


def test_email_taken_is_shown_under_its_field(
    page: Page, person: Person, e2e_stage: LocalStageProcess
) -> None:
    register_directly(e2e_stage, f"other-{person.username}", person.email)
    fill_form(page, person)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#email-error")).to_have_text("This email address is already registered.")
    expect(page.locator("#username-error")).to_have_text("")


def test_rules_show_as_fields_are_left(page: Page) -> None:
    page.get_by_label("Username").fill("ad")
    expect(page.locator("#username-error")).to_have_text("")  # not while typing at first
    page.get_by_label("Email address").focus()
    expect(page.locator("#username-error")).to_have_text("Use at least 3 characters.")
    page.get_by_label("Username").fill("ada")  # left once: now checked as the user types
    expect(page.locator("#username-error")).to_have_text("")


def test_show_password_and_paste_are_allowed(page: Page) -> None:
    password = page.get_by_label("Password", exact=True)
    toggle = page.get_by_role("button", name="Show passwords")
    expect(password).to_have_attribute("type", "password")
    toggle.click()
    expect(password).to_have_attribute("type", "text")
    expect(page.get_by_role("button", name="Hide passwords")).to_have_attribute(
        "aria-pressed", "true"
    )
    prevented = password.evaluate(
        "el => { const e = new ClipboardEvent('paste', {bubbles: true, cancelable: true});"
        " el.dispatchEvent(e); return e.defaultPrevented; }"
    )
    assert prevented is False


def test_form_fits_a_375_px_screen(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    box = page.get_by_role("button", name="Create account").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375


def test_api_down_shows_retryable_banner_then_succeeds(
    page: Page, person: Person, e2e_stage: LocalStageProcess
) -> None:
    fill_form(page, person)
    e2e_stage.stop()
    try:
        page.get_by_role("button", name="Create account").click()
        banner = page.get_by_role("alert")
        expect(banner).to_contain_text("could not be reached")
        expect(page.get_by_role("button", name="Create account")).to_be_enabled()
    finally:
        e2e_stage.start()
    # The browser kept the details: one click sends them again.
    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("heading", name=f"Welcome, {person.username}!")).to_be_visible()
