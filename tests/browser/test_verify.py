"""The verify page in Chromium: expired and broken links, and asking for a new one."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.accessibility import check_view
from tests.support.journeys import Person, expire_link, fill_form, mails_to, verify_link
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

    page.goto(old_link)
    page.locator("#confirm:not([disabled])").click()
    heading = page.get_by_role("heading", name="This link has expired")
    expect(heading).to_be_focused()
    check_view(page, "verify-expired")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_role("button", name="Send me a new link").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_focused()
    # The 202 is the same for any address: the page says "if", never "we sent".
    expect(page.locator("#inbox")).to_contain_text(f"If {person.email} is waiting")
    check_view(page, "verify-new-link-sent")

    new_link = verify_link(outbox, person.email, mailed_url)
    assert new_link != old_link
    assert len(mails_to(outbox, person.email)) == 2
    page.goto(new_link)
    page.locator("#confirm:not([disabled])").click()
    expect(page.get_by_role("heading", name="Your email address is confirmed")).to_be_focused()


def test_broken_links_offer_a_new_one(page: Page) -> None:
    page.goto("/verify")  # the token cut off: nothing to confirm
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    page.goto(f"/verify?token={UNKNOWN_TOKEN}")
    page.locator("#confirm:not([disabled])").click()
    expect(page.get_by_role("heading", name="This link does not work")).to_be_focused()
    check_view(page, "verify-invalid")
    page.get_by_role("button", name="Send me a new link").click()
    field = page.get_by_label("Email address")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    expect(page.locator("#new-link-email-error")).to_have_text("Error: Enter your email address.")
    check_view(page, "verify-new-link-error")
