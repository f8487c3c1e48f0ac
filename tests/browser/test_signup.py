"""The sign-up flow in Chromium at 375 px against a real local stage, with axe in each state."""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from contract.rules import password_problem
from signup_web.settings import WebSettings
from tests.support.accessibility import check_view
from tests.support.browser import wait_until_hydrated
from tests.support.journeys import (
    Person,
    await_mails,
    fill_form,
    focused_id,
    handler_calls,
    mails_to,
    register_directly,
    silent_api,
    user_status,
    verify_link,
)
from tests.support.secrets import PASSWORDS
from tests.support.stage_process import LocalStageProcess

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
# The people the README's screenshots show, one per test (the stage starts empty).
ADA = Person("AdaLovelace", "ada@example.com", PASSWORDS[0])
GRACE = Person("GraceHopper", "grace@example.com", PASSWORDS[1])
CHARLES = Person("CharlesBabbage", "charles@example.com", PASSWORDS[2])
# The policy the web UI was started with (it inherits this environment).
SETTINGS = WebSettings.from_env(os.environ)
PRODUCT = SETTINGS.product_name
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-")


def inbox_text(page: Page) -> str:
    """The check-your-inbox view's words, times and countdown left out."""
    return re.sub(r"\d+", "#", page.locator("#inbox").inner_text())


def test_signup_journey_confirms_by_mail_and_a_second_sign_up_looks_the_same(
    page: Page, e2e_stage: LocalStageProcess, outbox: Path, mailed_url: str
) -> None:
    expect(page).to_have_title(f"Create your account – {PRODUCT}")
    check_view(page, "signup-empty")
    fill_form(page, ADA)
    expect(page.locator("#password-strength")).to_contain_text("Strength:")
    page.get_by_role("button", name="Create account").click()

    heading = page.get_by_role("heading", name="Check your inbox")
    expect(heading).to_be_focused()
    expect(page).to_have_title(f"Check your inbox – {PRODUCT}")
    expect(page.locator("#inbox")).to_contain_text(f"We sent an email to {ADA.email}")
    assert page.locator("input[type=password]").count() == 0  # nothing typed survives
    check_view(page, "signup-inbox")
    first_screen = inbox_text(page)
    # The API mails an address once a minute: the button says so and sends nothing.
    resend = page.get_by_role("button", name="Send the link again")
    expect(resend).to_have_attribute("aria-disabled", "true")
    expect(page.locator("#resend-wait")).to_contain_text("You can ask for another link in")
    resend.focus()
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)  # a request, had one been sent, would have landed by now
    assert len(mails_to(outbox, ADA.email)) == 1
    assert focused_id(page) == "resend"

    # The link opens a page that asks first: a GET (a mail scanner's) verifies nothing.
    page.goto(verify_link(outbox, ADA.email, mailed_url))
    confirm = page.locator("#confirm:not([disabled])")
    expect(confirm).to_have_text("Confirm my email")
    expect(page).to_have_title(f"Confirm your email address – {PRODUCT}")
    password = page.get_by_label("Password", exact=True)
    expect(password).to_have_attribute("autocomplete", "current-password")
    # A username field for password managers, out of everyone else's way.
    username = page.locator("input[autocomplete=username]")
    expect(username).to_have_attribute("tabindex", "-1")
    expect(username).to_have_attribute("aria-hidden", "true")
    assert user_status(e2e_stage, ADA.username) == "pending"
    check_view(page, "verify-confirm")
    password.fill(ADA.password)
    confirm.click()
    # Confirmed with the sign-up's password, and signed in with it.
    done = page.get_by_role("heading", name="Your account")
    expect(done).to_be_focused()
    expect(page.locator("#account")).to_contain_text(f"You are signed in as {ADA.username}.")
    assert not UUID.search(page.locator("#account").inner_text())  # no raw user id
    assert user_status(e2e_stage, ADA.username) == "verified"

    # Someone signs up again with Ada's address: the same screen, and Ada is told.
    page.goto(f"{mailed_url}/")
    wait_until_hydrated(page, "submit")
    fill_form(page, Person("AdaAgain", ADA.email, PASSWORDS[3]))
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_focused()
    assert inbox_text(page) == first_screen
    notice = await_mails(outbox, ADA.email, 2)[-1]
    assert notice["Subject"].startswith("Someone tried to sign up")
    assert "verify?token=" not in str(notice)


def test_check_your_inbox_survives_a_reload_and_start_again_gives_a_fresh_form(
    page: Page, person: Person
) -> None:
    fill_form(page, person)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    expect(page.locator("#inbox")).to_contain_text(person.email)
    # Waiting out the cooldown in words, in full colour, announced as unavailable.
    expect(page.locator("#resend")).to_have_attribute("aria-disabled", "true")
    expect(page.locator("#resend-wait")).to_contain_text("You can ask for another link in")
    page.get_by_role("button", name="Start again with a different one").click()
    expect(page.get_by_label("Username")).to_be_focused()
    expect(page.get_by_label("Username")).to_have_value("")


def test_failed_submit_summarises_the_errors_and_takes_focus(page: Page) -> None:
    page.get_by_role("button", name="Create account").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(4)
    expect(page).to_have_title(f"Error: Create your account – {PRODUCT}")
    for label in ("Username", "Email address", "Password", "Confirm password"):
        field = page.get_by_label(label, exact=True)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_attribute("required", "")
    check_view(page, "signup-errors")
    summary.get_by_role("link", name="Enter your email address.").click()
    expect(page.get_by_label("Email address")).to_be_focused()
    # A reload leaves no error behind for whoever uses this tab next.
    page.reload()
    expect(page.locator("#submit:not([disabled])")).to_be_visible()
    expect(page.locator("#error-summary")).to_have_count(0)
    expect(page.get_by_label("Username")).to_have_attribute("aria-invalid", "false")


def test_tabbing_through_empty_fields_marks_nothing(page: Page) -> None:
    page.get_by_label("Username").focus()
    for _ in range(5):
        page.keyboard.press("Tab")
    page.get_by_label("Username").focus()
    page.wait_for_timeout(300)  # a blur's check, had there been one, would have landed
    expect(page.locator("[aria-invalid=true]")).to_have_count(0)
    expect(page.locator("#error-summary")).to_have_count(0)


def test_too_short_password_is_stopped_before_any_request(
    page: Page, person: Person, e2e_stage: LocalStageProcess
) -> None:
    calls = handler_calls(e2e_stage)
    # Shorter than any minimum a stage may set (8), whatever PASSWORD_MIN_LENGTH says.
    fill_form(page, Person(person.username, person.email, "short"))
    page.get_by_role("button", name="Create account").click()
    expected = password_problem("short", policy=SETTINGS.policy)
    assert expected is not None
    password = page.get_by_label("Password", exact=True)
    expect(page.locator("#password-error")).to_have_text(f"Error: {expected.message}")
    expect(password).to_have_attribute("aria-invalid", "true")
    assert "password-error" in (password.get_attribute("aria-describedby") or "").split()
    # The error restates the hint: only one of them shows, and is read.
    expect(page.locator("#password-hint")).to_have_count(0)
    assert "password-hint" not in (password.get_attribute("aria-describedby") or "")
    page.wait_for_timeout(500)  # a request, had one been sent, would have landed by now
    assert handler_calls(e2e_stage) == calls


def test_username_taken_is_summarised_and_shown_under_its_field(
    page: Page, e2e_stage: LocalStageProcess
) -> None:
    register_directly(e2e_stage, CHARLES.username.upper(), "other-charles@example.com")
    fill_form(page, CHARLES)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#username-error")).to_have_text("Error: This username is already taken.")
    expect(page.locator("#email-error")).to_have_text("")
    expect(page.get_by_label("Username")).to_have_attribute("aria-invalid", "true")
    check_view(page, "signup-username-taken")


def test_rules_show_once_a_field_was_typed_in_and_left(page: Page) -> None:
    page.get_by_label("Username").fill("ad")
    expect(page.locator("#username-error")).to_have_text("")  # not while typing at first
    page.get_by_label("Email address").focus()
    expect(page.locator("#username-error")).to_have_text("Error: Use at least 3 characters.")
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


def test_api_silent_keeps_focus_then_down_shows_a_banner_then_retry_works(
    page: Page, e2e_stage: LocalStageProcess
) -> None:
    fill_form(page, GRACE)
    button = page.locator("#submit")
    try:
        with silent_api(e2e_stage):
            button.click()
            # Busy, yet focusable: focus stays on the button while the request hangs,
            # and the button says what it is doing.
            expect(button).to_have_attribute("aria-disabled", "true")
            expect(button).to_have_accessible_name("Creating your account…")
            expect(page.locator("form")).to_have_attribute("aria-busy", "true")
            assert focused_id(page) == "submit"
            check_view(page, "signup-pending")
        banner = page.locator("#banner")
        expect(banner).to_contain_text("Your details are still in the form. Try again.")
        expect(banner).to_be_focused()
        check_view(page, "signup-unavailable")
    finally:
        e2e_stage.start()
    # The browser kept the details: one click sends them again.
    button.click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_focused()


def test_page_serves_a_favicon_and_keeps_the_token_from_other_origins(
    page: Page, web_url: str
) -> None:
    icon = httpx.get(f"{web_url}/favicon.ico", timeout=10.0)
    assert icon.status_code == 200
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file, not the app's HTML
    assert page.locator('meta[name="referrer"]').get_attribute("content") == "no-referrer"
    expect(page.locator("header")).to_contain_text(PRODUCT)
