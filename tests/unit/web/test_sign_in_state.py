"""SignInState: what is missing, what the API refused, the wait after a limit; no password kept."""

from __future__ import annotations

import pickle
import time
from collections.abc import Callable

import httpx
import pytest
import reflex as rx

from contract.routes import ACCOUNT_PAGE
from signup_web import sign_in_state
from signup_web.focus import BANNER, ERROR_SUMMARY
from signup_web.session_state import SIGNED_OUT, SessionState
from signup_web.sign_in_state import (
    CREDENTIALS_WRONG,
    LOGIN_REQUIRED,
    PASSWORD_REQUIRED,
    UNVERIFIED_HEADING,
    SignInState,
)
from tests.support.fake_api import FakeApi, problem, signed_in, throttled
from tests.support.secrets import PASSWORDS
from tests.support.state_handlers import focused, redirected, run, sent_to_browser, substate

UseApi = Callable[[FakeApi], FakeApi]
PASSWORD = PASSWORDS[3]
FORM = {"login": "AdaLovelace", "password": PASSWORD}
WRONG = problem(401, [(None, "credentials_invalid", "Wrong.")])
UNVERIFIED = problem(403, [(None, "email_unverified", "Confirm first.")])


@pytest.fixture
def form(root_state: rx.State) -> SignInState:
    """The sign-in form's state in a fresh tab."""
    state = substate(root_state, SignInState)
    state.arrive()
    return state


def test_submit_empty_summarises_both_fields_and_sends_nothing(
    form: SignInState, use_api: UseApi
) -> None:
    api = use_api(FakeApi(signed_in()))
    events = run(form.submit({"login": "  ", "password": ""}))
    assert (form.login_error, form.password_error) == (LOGIN_REQUIRED, PASSWORD_REQUIRED)
    assert form.summary_shown
    assert focused(events) == [ERROR_SUMMARY]
    assert api.requests == []


def test_submit_signs_in_keeps_the_tokens_private_and_opens_the_account(
    root_state: rx.State, form: SignInState, use_api: UseApi
) -> None:
    api = use_api(FakeApi(signed_in("access-1", "refresh-1")))
    events = run(form.submit({"login": " ada@example.com ", "password": PASSWORD}))
    assert api.bodies() == [{"login": "ada@example.com", "password": PASSWORD}]
    assert redirected(events) == [ACCOUNT_PAGE]
    session = substate(root_state, SessionState)
    assert (session._access_token, session._refresh_token) == ("access-1", "refresh-1")
    assert form.login == ""  # nothing of the form outlives it
    shown = sent_to_browser(root_state)
    for secret in (PASSWORD, "access-1", "refresh-1"):
        assert secret not in shown
    assert PASSWORD.encode() not in pickle.dumps(root_state)


def test_submit_wrong_credentials_is_one_summarised_error(
    root_state: rx.State, form: SignInState, use_api: UseApi
) -> None:
    use_api(FakeApi(WRONG))
    events = run(form.submit(FORM))
    assert (form.login_error, form.password_error) == (CREDENTIALS_WRONG, "")
    assert form.summary_shown
    assert focused(events) == [ERROR_SUMMARY]
    assert redirected(events) == []
    assert substate(root_state, SessionState)._refresh_token == ""
    assert PASSWORD.encode() not in pickle.dumps(root_state)


def test_submit_unverified_says_confirm_first_and_knows_the_address(
    form: SignInState, use_api: UseApi
) -> None:
    use_api(FakeApi(UNVERIFIED))
    events = run(form.submit({"login": "ada@example.com", "password": PASSWORD}))
    assert form.unverified
    assert form.login_address == "ada@example.com"
    assert focused(events) == [UNVERIFIED_HEADING]
    assert not form.summary_shown


def test_login_address_is_empty_for_a_username(form: SignInState, use_api: UseApi) -> None:
    use_api(FakeApi(UNVERIFIED))
    run(form.submit(FORM))
    assert (form.unverified, form.login_address) == (True, "")


def test_submit_rate_limited_says_the_wait_in_words_and_counts_it_down(
    form: SignInState, use_api: UseApi
) -> None:
    use_api(FakeApi(throttled("900")))
    events = run(form.submit(FORM))
    assert form.wait == "in about 15 minutes"
    assert form.banner == "Too many attempts to sign in."
    assert form.banner_request_id == "rid-429"
    assert SignInState.count_down in events
    assert focused(events) == [BANNER]


def test_submit_while_the_limit_lasts_sends_nothing(form: SignInState, use_api: UseApi) -> None:
    api = use_api(FakeApi(throttled("45")))
    run(form.submit(FORM))
    events = run(form.submit(FORM))
    assert len(api.requests) == 1
    assert focused(events) == [BANNER]
    assert form.wait == "in 45 seconds"


def test_the_wait_ends_in_words_and_the_form_sends_again(
    form: SignInState, use_api: UseApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = use_api(FakeApi([throttled("45"), signed_in()]))
    run(form.submit(FORM))
    later = time.time() + 46
    monkeypatch.setattr(sign_in_state.time, "time", lambda: later)
    form.arrive()  # a reload after the wait: nothing left of it
    assert (form.wait, form.banner) == ("", "")
    events = run(form.submit(FORM))
    assert len(api.requests) == 2
    assert redirected(events) == [ACCOUNT_PAGE]


def test_arrive_keeps_a_limit_that_still_runs(form: SignInState, use_api: UseApi) -> None:
    use_api(FakeApi(throttled("120")))
    run(form.submit(FORM))
    form.arrive()
    assert form.wait == "in about 2 minutes"
    assert form.banner.startswith("Too many attempts to sign in.")


def test_gateway_throttle_without_retry_after_waits_a_minute(
    form: SignInState, use_api: UseApi
) -> None:
    use_api(FakeApi(throttled(None)))
    run(form.submit(FORM))
    assert form.wait == "in about 1 minute"


def test_submit_unavailable_keeps_the_details_with_a_banner(
    form: SignInState, use_api: UseApi
) -> None:
    use_api(FakeApi(httpx.ConnectError("refused")))
    events = run(form.submit(FORM))
    assert "could not be reached" in form.banner
    assert "Your details are still in the form." in form.banner
    assert focused(events) == [BANNER]
    assert (form.pending, form.wait) == (False, "")


def test_submit_other_refusal_is_a_banner(form: SignInState, use_api: UseApi) -> None:
    # API Gateway's own 404 when API_URL is wrong (or the stage has no sign-in yet).
    use_api(FakeApi(httpx.Response(404, json={"message": "Not Found"})))
    events = run(form.submit(FORM))
    assert form.banner == "The request was refused (HTTP 404)."
    assert focused(events) == [BANNER]


def test_submit_field_problems_go_under_their_fields(form: SignInState, use_api: UseApi) -> None:
    use_api(FakeApi(problem(400, [("login", "login_required", "Enter a login.")])))
    events = run(form.submit(FORM))
    assert form.login_error == "Enter a login."
    assert focused(events) == [ERROR_SUMMARY]


def test_submit_while_pending_sends_nothing(form: SignInState, use_api: UseApi) -> None:
    api = use_api(FakeApi(signed_in()))
    form.pending = True
    assert run(form.submit(FORM)) == []
    assert api.requests == []


def test_submit_clears_why_the_page_was_shown(
    root_state: rx.State, form: SignInState, use_api: UseApi
) -> None:
    use_api(FakeApi(WRONG))
    substate(root_state, SessionState).farewell = SIGNED_OUT
    run(form.submit(FORM))
    assert substate(root_state, SessionState).farewell == ""
