"""InboxState: asking for another link honours the cooldown; its wording never tells who exists."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest
import reflex as rx

from backend.email_verification import RESEND_COOLDOWN_SECONDS as API_COOLDOWN
from contract.headers import IDEMPOTENCY_KEY
from signup_web.focus import BANNER
from signup_web.inbox_state import (
    INBOX_HEADING,
    NEW_LINK_EMAIL,
    RESEND_COOLDOWN_SECONDS,
    RESENT,
    InboxState,
)
from tests.support.fake_api import FakeApi, accepted, problem, throttled
from tests.support.state_handlers import focused, run, substate

UseApi = Callable[[FakeApi], FakeApi]


@pytest.fixture
def inbox(root_state: rx.State) -> InboxState:
    """The check-your-inbox state of a fresh tab."""
    return substate(root_state, InboxState)


def opened(inbox: InboxState) -> InboxState:
    """The view as the sign-up form leaves it, a minute later (the countdown has run out)."""
    inbox.open_after_signup("ada@example.com", "2026-11-24T19:03:58Z", now=time.time() - 61)
    inbox.cooldown, inbox._counting = 0, False
    return inbox


def test_cooldown_matches_the_apis() -> None:
    # The button waits exactly as long as the API would refuse to mail.
    assert RESEND_COOLDOWN_SECONDS == API_COOLDOWN


def test_open_after_signup_starts_the_cooldown_once(inbox: InboxState) -> None:
    first = inbox.open_after_signup("ada@example.com", "2026-11-24T19:03:58Z", now=time.time())
    assert first is InboxState.count_down
    assert inbox.cooldown == RESEND_COOLDOWN_SECONDS
    assert (inbox.address, inbox.after_signup) == ("ada@example.com", True)


def test_wait_reads_in_words_and_clears_when_over(inbox: InboxState) -> None:
    inbox.open_after_signup("ada@example.com", "2026-11-24T19:03:58Z", now=time.time())
    assert inbox.wait == "You can ask for another link in about 1 minute."
    inbox.cooldown = 45
    assert inbox.wait == "You can ask for another link in 45 seconds."
    inbox.cooldown = 0
    assert inbox.wait == ""


def test_resend_during_the_cooldown_sends_nothing(inbox: InboxState, use_api: UseApi) -> None:
    api = use_api(FakeApi(accepted()))
    inbox.open_after_signup("ada@example.com", "2026-11-24T19:03:58Z", now=time.time())
    assert run(inbox.resend()) == []
    assert api.requests == []


def test_resend_after_the_cooldown_asks_once_and_waits_again(
    inbox: InboxState, use_api: UseApi
) -> None:
    api = use_api(FakeApi(accepted()))
    events = run(opened(inbox).resend())
    assert api.bodies() == [{"email": "ada@example.com"}]
    assert inbox.status == RESENT.format(address="ada@example.com")
    assert inbox.cooldown == RESEND_COOLDOWN_SECONDS
    assert InboxState.count_down in events
    assert focused(events) == []  # focus stays on the button; the status region speaks
    run(inbox.resend())
    assert len(api.requests) == 1


def test_resend_rate_limited_waits_as_long_as_the_api_says(
    inbox: InboxState, use_api: UseApi
) -> None:
    use_api(FakeApi(throttled("90")))
    events = run(opened(inbox).resend())
    # No fixed figure in the banner: the live countdown beside the button says when.
    assert inbox.banner == "Too many attempts. Nothing was sent."
    assert inbox.cooldown == 90
    assert inbox.wait == "You can ask for another link in about 2 minutes."
    assert focused(events) == [BANNER]


def test_the_gateways_own_limit_holds_the_button_for_the_apis_cooldown(
    inbox: InboxState, use_api: UseApi
) -> None:
    api = use_api(FakeApi(throttled(None)))
    run(opened(inbox).resend())
    assert inbox.banner == "Too many attempts. Nothing was sent."
    assert inbox.cooldown == RESEND_COOLDOWN_SECONDS
    run(inbox.resend())  # still waiting: nothing is sent
    assert len(api.requests) == 1


def test_resend_unreachable_shows_a_banner_without_status(
    inbox: InboxState, use_api: UseApi
) -> None:
    use_api(FakeApi(httpx.ConnectError("refused")))
    run(opened(inbox).resend())
    assert "could not be reached" in inbox.banner
    assert inbox.status == "" and not inbox.sending


def test_ask_for_link_checks_the_address_first(inbox: InboxState, use_api: UseApi) -> None:
    api = use_api(FakeApi(accepted()))
    events = run(inbox.ask_for_link({NEW_LINK_EMAIL: "ada@"}))
    assert inbox.email_error
    assert focused(events) == [NEW_LINK_EMAIL]
    assert api.requests == []


def test_ask_for_link_opens_the_inbox_without_claiming_a_mail_went(
    inbox: InboxState, use_api: UseApi
) -> None:
    api = use_api(FakeApi(accepted()))
    events = run(inbox.ask_for_link({NEW_LINK_EMAIL: " ada@example.com "}))
    assert api.bodies() == [{"email": "ada@example.com"}]
    # The 202 is the same for every address: the view says "if", never "we sent".
    assert (inbox.address, inbox.after_signup, inbox.expires) == ("ada@example.com", False, "")
    assert inbox.status == ""  # the view's first sentence already says it
    assert focused(events) == [INBOX_HEADING]


def test_ask_for_link_api_refusal_goes_under_the_field(inbox: InboxState, use_api: UseApi) -> None:
    use_api(FakeApi(problem(400, [("email", "email_invalid", "Not deliverable.")])))
    events = run(inbox.ask_for_link({NEW_LINK_EMAIL: "ada@example.com"}))
    assert inbox.email_error == "Not deliverable."
    assert inbox.address == ""
    assert focused(events) == [NEW_LINK_EMAIL]


def test_close_forgets_everything(inbox: InboxState, use_api: UseApi) -> None:
    use_api(FakeApi(accepted()))
    run(opened(inbox).resend())
    inbox.close()
    assert (inbox.address, inbox.status, inbox.cooldown) == ("", "", 0)


def test_each_request_for_a_link_is_a_new_submission(inbox: InboxState, use_api: UseApi) -> None:
    # One key per click: the client's own retries of a click reuse it, a
    # second click (after the cooldown) asks for one more link.
    api = use_api(FakeApi(accepted()))
    run(opened(inbox).resend())
    opened(inbox)
    run(inbox.resend())
    first, second = (request.headers[IDEMPOTENCY_KEY] for request in api.requests)
    assert first != second


def test_a_lost_answer_to_a_resend_is_asked_for_again_with_its_key(
    inbox: InboxState, use_api: UseApi
) -> None:
    api = use_api(FakeApi([httpx.ReadTimeout("slow"), accepted()]))
    run(opened(inbox).resend())
    assert inbox.status == RESENT.format(address="ada@example.com")
    first, retry = (request.headers[IDEMPOTENCY_KEY] for request in api.requests)
    assert first == retry


def test_stay_keeps_the_view_and_its_cooldown_after_a_reload(inbox: InboxState) -> None:
    inbox.open_after_signup("ada@example.com", "2026-11-24T19:03:58Z", now=time.time())
    inbox.banner = "Too many attempts."
    inbox.stay()
    assert (inbox.address, inbox.after_signup) == ("ada@example.com", True)
    assert inbox.cooldown > 0
    assert inbox.banner == ""
