"""Forgot password, the reset page and deleting the account in Chromium against a local stage,
axe in each state (375 and 1280 px, light and dark)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from contract.routes import FORGOT_PAGE, SIGN_IN_PAGE
from signup_web.delete_state import DELETED, PASSWORD_WRONG
from signup_web.forgot_state import EMAIL_REQUIRED
from signup_web.settings import WebSettings
from tests.support.accessibility import check_view
from tests.support.browser import wait_until_hydrated
from tests.support.journeys import (
    Person,
    confirm_with_password,
    mails_to,
    register_directly,
    sign_in,
    verify_link,
)
from tests.support.mailbox import reset_token_in
from tests.support.stage import outbox_settled
from tests.support.stage_process import LocalStageProcess
from tests.support.users import new_identity

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
PRODUCT = WebSettings.from_env(os.environ).product_name
# Her own address and username: the browser tests share one stage.
_ID = new_identity("mary")
MARY = Person(_ID, f"{_ID}@example.com", "ichthyosaur cliffs lyme 1811")
NEW_PASSWORD = "plesiosaur fossils dorset coast"


def _verified(page: Page, stage: LocalStageProcess, outbox: Path, mailed_url: str) -> None:
    register_directly(stage, MARY.username, MARY.email, MARY.password)
    outbox_settled(stage)
    confirm_with_password(page, verify_link(outbox, MARY.email, mailed_url), MARY.password)
    expect(page.get_by_role("heading", name="Your account")).to_be_focused()


def test_forgot_page_is_linked_from_sign_in_and_summarises_what_is_missing(page: Page) -> None:
    page.goto(SIGN_IN_PAGE)
    page.get_by_role("link", name="Forgot your password?").click()
    wait_until_hydrated(page, "send-reset-link")
    expect(page).to_have_title(f"Reset your password – {PRODUCT}")
    check_view(page, "forgot-empty")
    page.get_by_role("button", name="Send me a reset link").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#forgot-email-error")).to_have_text(f"Error: {EMAIL_REQUIRED}")
    check_view(page, "forgot-errors")


def test_forgot_then_reset_then_delete(
    page: Page, e2e_stage: LocalStageProcess, outbox: Path, mailed_url: str
) -> None:
    _verified(page, e2e_stage, outbox, mailed_url)
    page.goto(FORGOT_PAGE)
    wait_until_hydrated(page, "send-reset-link")
    page.get_by_label("Email address").fill(MARY.email)
    page.get_by_role("button", name="Send me a reset link").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_focused()
    check_view(page, "forgot-sent")

    outbox_settled(e2e_stage)
    tokens = [t for t in (reset_token_in(m) for m in mails_to(outbox, MARY.email)) if t]
    page.goto(f"{mailed_url}/reset?token={tokens[-1]}")
    wait_until_hydrated(page, "change-password")
    expect(page).to_have_title(f"Choose a new password – {PRODUCT}")
    check_view(page, "reset-choose")
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Confirm new password").fill("short")
    page.get_by_role("button", name="Change my password").click()
    expect(page.locator("#error-summary")).to_be_focused()
    check_view(page, "reset-errors")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change my password").click()
    expect(page.get_by_role("heading", name="Your password has been changed")).to_be_focused()
    check_view(page, "reset-done")

    sign_in(page, MARY.username, NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Your account")).to_be_focused()
    page.get_by_role("button", name="Delete account…").click()
    expect(page.get_by_role("heading", name="Delete your account")).to_be_focused()
    expect(page.locator("#delete-what-goes")).to_contain_text("username")
    check_view(page, "delete-asking")
    page.get_by_label("Your password").fill("not my password at all")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator("#delete-password-error")).to_have_text(f"Error: {PASSWORD_WRONG}")
    expect(page.get_by_label("Your password")).to_be_focused()
    check_view(page, "delete-wrong-password")
    page.get_by_label("Your password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator("#farewell")).to_have_text(DELETED)
    wait_until_hydrated(page, "sign-in")
    check_view(page, "sign-in-deleted")


def test_reset_page_without_a_working_link_says_so(page: Page) -> None:
    page.goto("/reset?token=" + "A" * 43)
    wait_until_hydrated(page, "change-password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change my password").click()
    expect(page.get_by_role("heading", name="This link does not work")).to_be_focused()
    check_view(page, "reset-invalid")
    page.get_by_role("link", name="Ask for a new link").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
