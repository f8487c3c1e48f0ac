"""The verify page in Chromium: the password it asks for, expired and broken links, new ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from signup_web.verify_state import PASSWORD_REQUIRED
from tests.support.accessibility import check_view
from tests.support.journeys import (
    Person,
    confirm_with_password,
    expire_link,
    fill_form,
    focused_id,
    mails_to,
    user_status,
    verify_link,
)
from tests.support.secrets import PASSWORDS
from tests.support.stage_process import LocalStageProcess

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
# Token-shaped, but never issued: the API answers token_invalid.
UNKNOWN_TOKEN = "A" * 43
# The README's screenshots show Mary's expired link.
MARY = Person("MarySomerville", "mary@example.com", PASSWORDS[3])


def test_expired_link_offers_a_new_one_that_works(
    page: Page, e2e_stage: LocalStageProcess, outbox: Path, mailed_url: str
) -> None:
    person = MARY
    fill_form(page, person)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    old_link = verify_link(outbox, person.email, mailed_url)
    expire_link(e2e_stage, old_link, person.email)

    confirm_with_password(page, old_link, person.password)
    heading = page.get_by_role("heading", name="This link has expired")
    expect(heading).to_be_focused()
    check_view(page, "verify-expired")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_role("button", name="Send me a new link").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_focused()
    # The 202 is the same for any address: the page says "if", never "we sent".
    expect(page.locator("#inbox")).to_contain_text(f"If {person.email} is waiting")
    check_view(page, "verify-new-link-sent")

    new_link = verify_link(outbox, person.email, mailed_url, nth=2)
    assert new_link != old_link
    assert len(mails_to(outbox, person.email)) == 2
    confirm_with_password(page, new_link, person.password)
    expect(page.get_by_role("heading", name="Your account")).to_be_focused()


def test_broken_links_offer_a_new_one(page: Page) -> None:
    page.goto("/verify")  # the token cut off: nothing to confirm
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    confirm_with_password(page, f"/verify?token={UNKNOWN_TOKEN}", PASSWORDS[0])
    expect(page.get_by_role("heading", name="This link does not work")).to_be_focused()
    check_view(page, "verify-invalid")
    page.get_by_role("button", name="Send me a new link").click()
    field = page.get_by_label("Email address")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    expect(page.locator("#new-link-email-error")).to_have_text("Error: Enter your email address.")
    check_view(page, "verify-new-link-error")


def test_confirm_asks_for_the_password_before_sending_anything(page: Page) -> None:
    page.goto(f"/verify?token={UNKNOWN_TOKEN}")
    page.locator("#confirm:not([disabled])").click()
    field = page.get_by_label("Password", exact=True)
    expect(field).to_be_focused()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#verify-password-error")).to_have_text(f"Error: {PASSWORD_REQUIRED}")
    # Nothing was sent: the link's own problem would have shown instead.
    expect(page.get_by_role("heading", name="Confirm your email address")).to_be_visible()
    check_view(page, "verify-password-missing")


def test_a_wrong_password_keeps_the_link_and_the_right_one_then_works(
    page: Page, e2e_stage: LocalStageProcess, outbox: Path, mailed_url: str, person: Person
) -> None:
    fill_form(page, person)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    link = verify_link(outbox, person.email, mailed_url)
    confirm_with_password(page, link, PASSWORDS[0])
    field = page.get_by_label("Password", exact=True)
    expect(field).to_be_focused()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#verify-password-error")).not_to_have_text("")
    assert user_status(e2e_stage, person.username) == "pending"
    check_view(page, "verify-wrong-password")
    field.fill(person.password)
    page.locator("#confirm").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_focused()
    assert focused_id(page) == "account-heading"
