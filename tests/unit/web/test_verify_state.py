"""VerifyState: the token comes from the page's URL at the submit and is never kept; the
password goes with it, then signs the person in."""

from __future__ import annotations

import pickle
import time
from collections.abc import Callable

import httpx
import pytest
import reflex as rx
from reflex.istate.data import RouterData

from contract.routes import ACCOUNT_PAGE
from signup_web.focus import BANNER
from signup_web.session_state import SessionState
from signup_web.verify_state import (
    CONFIRM,
    EXPIRED,
    INVALID,
    PASSWORD_MISMATCH,
    PASSWORD_REQUIRED,
    VERIFIED,
    VERIFY_HEADING,
    VERIFY_PASSWORD,
    VerifyState,
)
from tests.support.fake_api import FakeApi, problem, signed_in, throttled, verified
from tests.support.secrets import PASSWORDS
from tests.support.state_handlers import focused, redirected, run, sent_to_browser, substate

# Shaped like a token, but only ever sent to the fake API.
TOKEN = "Vx1mF0wq3nQyGZl2a9kP7rX8bT4cD6eH5jL0sU2vW1y"
PASSWORD = PASSWORDS[3]
FORM = {"username": "", VERIFY_PASSWORD: PASSWORD}
UseApi = Callable[[FakeApi], FakeApi]


def at(root_state: rx.State, path: str) -> VerifyState:
    """The verify page's state, the tab's router at `path` (as the browser reports it)."""
    root_state.router = RouterData.from_router_data(
        {"headers": {"origin": "http://localhost:3000"}, "asPath": path}
    )
    page = substate(root_state, VerifyState)
    page.arrive()
    return page


def test_arrive_without_a_token_shows_the_invalid_view(root_state: rx.State) -> None:
    assert at(root_state, "/verify").view == INVALID


def test_arrive_with_a_token_asks_to_confirm_and_sends_nothing(
    root_state: rx.State, use_api: UseApi
) -> None:
    # Loading the page is what a mail scanner does: it must verify nothing.
    api = use_api(FakeApi(verified()))
    assert at(root_state, f"/verify?token={TOKEN}").view == CONFIRM
    assert api.requests == []


def test_confirm_posts_token_and_password_then_signs_in_and_opens_the_account(
    root_state: rx.State, use_api: UseApi
) -> None:
    api = use_api(FakeApi([verified(), signed_in("access-1", "refresh-1")]))
    page = at(root_state, f"/verify?token={TOKEN}")
    events = run(page.confirm(FORM))
    # The same password signs in as the user the API just confirmed.
    assert api.bodies() == [
        {"token": TOKEN, "password": PASSWORD},
        {"login": "AdaLovelace", "password": PASSWORD},
    ]
    assert redirected(events) == [ACCOUNT_PAGE]
    session = substate(root_state, SessionState)
    assert (session._access_token, session._refresh_token) == ("access-1", "refresh-1")
    # Neither the password nor the session's tokens reach the browser; the link's
    # token is only in the URL the browser itself reported (the router's data).
    for secret in (PASSWORD, "access-1", "refresh-1"):
        assert secret not in sent_to_browser(root_state)
    assert PASSWORD.encode() not in pickle.dumps(root_state)


def test_confirm_then_a_failed_sign_in_shows_the_confirmed_view(
    root_state: rx.State, use_api: UseApi
) -> None:
    use_api(FakeApi([verified(), throttled("30")]))
    page = at(root_state, f"/verify?token={TOKEN}")
    events = run(page.confirm(FORM))
    assert (page.view, page.username, page.email) == (VERIFIED, "AdaLovelace", "ada@example.com")
    assert page.sign_in_problem
    assert redirected(events) == []
    assert focused(events) == [VERIFY_HEADING]
    assert substate(root_state, SessionState)._refresh_token == ""


def test_confirm_without_a_password_sends_nothing(root_state: rx.State, use_api: UseApi) -> None:
    api = use_api(FakeApi(verified()))
    page = at(root_state, f"/verify?token={TOKEN}")
    events = run(page.confirm({VERIFY_PASSWORD: ""}))
    assert api.requests == []
    assert (page.view, page.password_error) == (CONFIRM, PASSWORD_REQUIRED)
    assert focused(events) == [VERIFY_PASSWORD]


def test_confirm_wrong_password_stays_with_the_error_under_the_field(
    root_state: rx.State, use_api: UseApi
) -> None:
    use_api(FakeApi(problem(400, [("password", "password_mismatch", "")])))
    page = at(root_state, f"/verify?token={TOKEN}")
    events = run(page.confirm(FORM))
    assert (page.view, page.password_error) == (CONFIRM, PASSWORD_MISMATCH)
    assert focused(events) == [VERIFY_PASSWORD]
    assert not page.pending
    assert PASSWORD.encode() not in pickle.dumps(root_state)


def test_confirm_right_password_after_a_wrong_one_clears_the_error(
    root_state: rx.State, use_api: UseApi
) -> None:
    use_api(FakeApi([problem(400, [("password", "password_mismatch", "No.")]), verified()]))
    page = at(root_state, f"/verify?token={TOKEN}")
    run(page.confirm(FORM))
    assert page.password_error == "No."
    run(page.confirm(FORM))
    assert page.password_error == ""


def test_confirm_twice_posts_once(root_state: rx.State, use_api: UseApi) -> None:
    api = use_api(FakeApi([verified(), signed_in()]))
    page = at(root_state, f"/verify?token={TOKEN}")
    page.view = VERIFIED  # as the first confirm leaves it, should its sign-in fail
    run(page.confirm(FORM))
    assert api.requests == []


@pytest.mark.parametrize(
    ("status", "code", "view"),
    [
        (410, "token_expired", EXPIRED),
        (400, "token_invalid", INVALID),
        (400, "token_required", INVALID),
    ],
)
def test_confirm_link_problems_show_their_view(
    root_state: rx.State, use_api: UseApi, status: int, code: str, view: str
) -> None:
    use_api(FakeApi(problem(status, [("token", code, "...")])))
    page = at(root_state, f"/verify?token={TOKEN}")
    events = run(page.confirm(FORM))
    assert page.view == view
    assert focused(events) == [VERIFY_HEADING]


def test_confirm_unavailable_keeps_the_confirm_view_with_a_banner(
    root_state: rx.State, use_api: UseApi
) -> None:
    use_api(FakeApi(httpx.ConnectError("refused")))
    page = at(root_state, f"/verify?token={TOKEN}")
    events = run(page.confirm(FORM))
    assert page.view == CONFIRM
    assert "could not be reached" in page.banner
    assert "not confirmed yet" in page.banner
    assert focused(events) == [BANNER]
    assert not page.pending


def test_confirm_limit_reads_as_a_wait_in_words_counted_down(
    root_state: rx.State, use_api: UseApi
) -> None:
    use_api(FakeApi(throttled("12")))
    page = at(root_state, f"/verify?token={TOKEN}")
    events = run(page.confirm(FORM))
    assert (page.banner, page.wait) == (
        "Too many attempts. Your address is not confirmed yet.",
        "in 12 seconds",
    )
    assert page.banner_request_id == "rid-429"
    assert VerifyState.count_down in events
    assert focused(events) == [BANNER]


def test_confirm_while_the_limit_lasts_sends_nothing(root_state: rx.State, use_api: UseApi) -> None:
    api = use_api(FakeApi(throttled("600")))
    page = at(root_state, f"/verify?token={TOKEN}")
    run(page.confirm(FORM))
    page = at(root_state, f"/verify?token={TOKEN}")  # a reload keeps a limit that still runs
    events = run(page.confirm(FORM))
    assert len(api.requests) == 1
    assert page.wait == "in about 10 minutes"
    assert focused(events) == [BANNER]


def test_confirm_says_so_when_the_wait_is_over_then_sends_again(
    root_state: rx.State, use_api: UseApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = use_api(FakeApi([throttled("12"), verified(), signed_in("a-1", "r-1")]))
    page = at(root_state, f"/verify?token={TOKEN}")
    run(page.confirm(FORM))
    later = time.time() + 13
    monkeypatch.setattr(time, "time", lambda: later)
    page._show_wait(later)  # the countdown's last tick
    assert (page.wait, page.banner) == ("", "You can try confirming your address again now.")
    events = run(page.confirm(FORM))
    assert len(api.requests) == 3
    assert redirected(events) == [ACCOUNT_PAGE]


def test_confirm_other_refusal_is_a_banner(root_state: rx.State, use_api: UseApi) -> None:
    # API Gateway's own 404 when API_URL is wrong: not the link's fault.
    use_api(FakeApi(httpx.Response(404, json={"message": "Not Found"})))
    page = at(root_state, f"/verify?token={TOKEN}")
    events = run(page.confirm(FORM))
    assert page.view == CONFIRM
    assert page.banner == "The request was refused (HTTP 404)."
    assert focused(events) == [BANNER]


def test_arrive_again_starts_afresh(root_state: rx.State, use_api: UseApi) -> None:
    use_api(FakeApi(verified()))
    page = at(root_state, f"/verify?token={TOKEN}")
    run(page.confirm(FORM))
    page.arrive()
    assert (page.view, page.username) == (CONFIRM, "")
