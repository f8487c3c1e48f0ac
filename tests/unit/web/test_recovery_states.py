"""ForgotState, ResetState and DeleteState on a fake API: what each sends, shows and focuses."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest
import reflex as rx
from reflex.istate.data import RouterData

from contract.routes import DELETE_ME, FORGOT_PASSWORD, RESET_PASSWORD, SIGN_IN_PAGE
from signup_web import forgot_state
from signup_web.api import Session
from signup_web.delete_state import (
    DELETE_BANNER,
    DELETE_PASSWORD,
    DELETED,
    PASSWORD_WRONG,
    DeleteState,
)
from signup_web.focus import BANNER, ERROR_SUMMARY
from signup_web.forgot_state import EMAIL_REQUIRED, FORGOT_EMAIL, FORGOT_HEADING, ForgotState
from signup_web.reset_state import (
    CONFIRM_PASSWORD,
    CONFIRMATION_DIFFERS,
    DONE,
    EXPIRED,
    INVALID,
    NEW_PASSWORD,
    RESET_HEADING,
    ResetState,
)
from signup_web.session_state import SessionState
from tests.support.fake_api import FakeApi, accepted, problem, signed_in, throttled, unauthorized
from tests.support.state_handlers import focused, redirected, run, sent_to_browser, substate

UseApi = Callable[[FakeApi], FakeApi]
TOKEN = "Vx1mF0wq3nQyGZl2a9kP7rX8bT4cD6eH5jL0sU2vW1y"
NEW = "quiet amber orchard telescope"


def no_content() -> httpx.Response:
    return httpx.Response(204, headers={"x-request-id": "rid-204"})


def paths(api: FakeApi) -> list[str]:
    return [f"{r.method} {r.url.path}" for r in api.requests]


def at(root_state: rx.State, path: str) -> ResetState:
    root_state.router = RouterData.from_router_data(
        {"headers": {"origin": "http://localhost:3000"}, "asPath": path}
    )
    page = substate(root_state, ResetState)
    page.arrive()
    return page


def test_forgot_sends_the_address_with_a_key_and_shows_the_same_words(
    root_state: rx.State, use_api: UseApi
) -> None:
    api = use_api(FakeApi(accepted()))
    page = substate(root_state, ForgotState)
    events = run(page.submit({FORGOT_EMAIL: " ada@example.com "}))
    assert paths(api) == [f"POST {FORGOT_PASSWORD.path}"]
    assert api.bodies() == [{"email": "ada@example.com"}]
    assert api.requests[0].headers["idempotency-key"]
    assert page.sent_to == "ada@example.com"
    assert focused(events) == [FORGOT_HEADING]


def test_forgot_without_an_address_sends_nothing(root_state: rx.State, use_api: UseApi) -> None:
    api = use_api(FakeApi(accepted()))
    page = substate(root_state, ForgotState)
    events = run(page.submit({FORGOT_EMAIL: ""}))
    assert api.requests == []
    assert page.email_error == EMAIL_REQUIRED
    assert focused(events) == [ERROR_SUMMARY]


def test_forgot_limit_reads_as_a_wait_in_words_counted_down(
    root_state: rx.State, use_api: UseApi
) -> None:
    use_api(FakeApi(throttled("45")))
    page = substate(root_state, ForgotState)
    events = run(page.submit({FORGOT_EMAIL: "ada@example.com"}))
    assert (page.banner, page.wait) == ("Too many requests for a reset link.", "in 45 seconds")
    assert page.banner_request_id == "rid-429"
    assert ForgotState.count_down in events
    assert focused(events) == [BANNER]


def test_forgot_while_the_limit_lasts_sends_nothing(root_state: rx.State, use_api: UseApi) -> None:
    api = use_api(FakeApi(throttled("600")))
    page = substate(root_state, ForgotState)
    run(page.submit({FORGOT_EMAIL: "ada@example.com"}))
    page.arrive()  # a reload keeps a limit that still runs
    events = run(page.submit({FORGOT_EMAIL: "ada@example.com"}))
    assert len(api.requests) == 1
    assert page.wait == "in about 10 minutes"
    assert focused(events) == [BANNER]


def test_forgot_sends_again_once_the_wait_is_over(
    root_state: rx.State, use_api: UseApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = use_api(FakeApi([throttled("45"), accepted()]))
    page = substate(root_state, ForgotState)
    run(page.submit({FORGOT_EMAIL: "ada@example.com"}))
    later = time.time() + 46
    monkeypatch.setattr(forgot_state.time, "time", lambda: later)
    page.arrive()
    assert (page.wait, page.banner) == ("", "")
    run(page.submit({FORGOT_EMAIL: "ada@example.com"}))
    assert len(api.requests) == 2
    assert page.sent_to == "ada@example.com"


def test_reset_arrive_sends_nothing(root_state: rx.State, use_api: UseApi) -> None:
    api = use_api(FakeApi(no_content()))
    assert at(root_state, f"/reset?token={TOKEN}").view == "choose"
    assert at(root_state, "/reset").view == INVALID
    assert api.requests == []


def test_reset_posts_the_token_and_the_new_password(root_state: rx.State, use_api: UseApi) -> None:
    api = use_api(FakeApi(no_content()))
    page = at(root_state, f"/reset?token={TOKEN}")
    events = run(page.submit({NEW_PASSWORD: NEW, CONFIRM_PASSWORD: NEW}))
    assert paths(api) == [f"POST {RESET_PASSWORD.path}"]
    assert api.bodies() == [{"token": TOKEN, "password": NEW}]
    assert page.view == DONE
    assert focused(events) == [RESET_HEADING]
    assert NEW not in sent_to_browser(root_state)


def test_reset_different_confirmation_sends_nothing(root_state: rx.State, use_api: UseApi) -> None:
    api = use_api(FakeApi(no_content()))
    page = at(root_state, f"/reset?token={TOKEN}")
    events = run(page.submit({NEW_PASSWORD: NEW, CONFIRM_PASSWORD: NEW + "x"}))
    assert api.requests == []
    assert page.confirmation_error == CONFIRMATION_DIFFERS
    assert focused(events) == [ERROR_SUMMARY]


def test_reset_shows_the_password_rule_under_the_field(
    root_state: rx.State, use_api: UseApi
) -> None:
    short = problem(400, [("password", "password_too_short", "Use at least 15 characters.")])
    use_api(FakeApi(short))
    page = at(root_state, f"/reset?token={TOKEN}")
    events = run(page.submit({NEW_PASSWORD: "short", CONFIRM_PASSWORD: "short"}))
    assert page.password_error == "Use at least 15 characters."
    assert page.view == "choose"
    assert focused(events) == [ERROR_SUMMARY]


def test_reset_limit_reads_as_a_wait_in_words_counted_down(
    root_state: rx.State, use_api: UseApi
) -> None:
    use_api(FakeApi(throttled("45")))
    page = at(root_state, f"/reset?token={TOKEN}")
    events = run(page.submit({NEW_PASSWORD: NEW, CONFIRM_PASSWORD: NEW}))
    assert (page.banner, page.wait) == (
        "Too many attempts. Your password has not been changed.",
        "in 45 seconds",
    )
    assert page.banner_request_id == "rid-429"
    assert ResetState.count_down in events
    assert focused(events) == [BANNER]
    assert NEW not in sent_to_browser(root_state)


def test_reset_while_the_limit_lasts_sends_nothing(root_state: rx.State, use_api: UseApi) -> None:
    api = use_api(FakeApi(throttled("600")))
    page = at(root_state, f"/reset?token={TOKEN}")
    run(page.submit({NEW_PASSWORD: NEW, CONFIRM_PASSWORD: NEW}))
    page = at(root_state, f"/reset?token={TOKEN}")  # a reload keeps a limit that still runs
    events = run(page.submit({NEW_PASSWORD: NEW, CONFIRM_PASSWORD: NEW}))
    assert len(api.requests) == 1
    assert page.wait == "in about 10 minutes"
    assert focused(events) == [BANNER]


def test_reset_says_so_when_the_wait_is_over_then_sends_again(
    root_state: rx.State, use_api: UseApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = use_api(FakeApi([throttled("45"), no_content()]))
    page = at(root_state, f"/reset?token={TOKEN}")
    run(page.submit({NEW_PASSWORD: NEW, CONFIRM_PASSWORD: NEW}))
    later = time.time() + 46
    monkeypatch.setattr(time, "time", lambda: later)
    page._show_wait(later)  # the countdown's last tick
    assert (page.wait, page.banner) == ("", "You can try changing your password again now.")
    run(page.submit({NEW_PASSWORD: NEW, CONFIRM_PASSWORD: NEW}))
    assert len(api.requests) == 2
    assert page.view == DONE


@pytest.mark.parametrize(
    ("status", "code", "view"), [(410, "token_expired", EXPIRED), (400, "token_invalid", INVALID)]
)
def test_reset_link_problems_show_their_view(
    root_state: rx.State, use_api: UseApi, status: int, code: str, view: str
) -> None:
    use_api(FakeApi(problem(status, [("token", code, "This link does not work.")])))
    page = at(root_state, f"/reset?token={TOKEN}")
    run(page.submit({NEW_PASSWORD: NEW, CONFIRM_PASSWORD: NEW}))
    assert page.view == view


def _signed_in(root_state: rx.State) -> SessionState:
    session = substate(root_state, SessionState)
    session.begin(Session(access_token="a-1", refresh_token="r-1", expires_in=900, request_id=""))
    session.username = "AdaLovelace"
    return session


def test_delete_sends_the_password_with_the_bearer_token_and_signs_out(
    root_state: rx.State, use_api: UseApi
) -> None:
    _signed_in(root_state)
    api = use_api(FakeApi(no_content()))
    page = substate(root_state, DeleteState)
    run_events = run(page.submit({DELETE_PASSWORD: "correct horse battery staple"}))
    assert paths(api) == [f"DELETE {DELETE_ME.path}"]
    assert api.requests[0].headers["authorization"] == "Bearer a-1"
    assert api.bodies() == [{"password": "correct horse battery staple"}]
    assert redirected(run_events) == [SIGN_IN_PAGE]
    assert substate(root_state, SessionState).farewell == DELETED


def test_delete_wrong_password_shows_under_the_field(root_state: rx.State, use_api: UseApi) -> None:
    session = _signed_in(root_state)
    use_api(FakeApi(problem(401, [(None, "credentials_invalid", "No.")])))
    page = substate(root_state, DeleteState)
    events = run(page.submit({DELETE_PASSWORD: "wrong"}))
    assert page.password_error == PASSWORD_WRONG
    assert focused(events) == [DELETE_PASSWORD]
    assert session.username == "AdaLovelace"


def test_delete_refreshes_an_expired_access_token_once(
    root_state: rx.State, use_api: UseApi
) -> None:
    _signed_in(root_state)
    api = use_api(FakeApi([unauthorized(), signed_in("a-2", "r-2"), no_content()]))
    page = substate(root_state, DeleteState)
    events = run(page.submit({DELETE_PASSWORD: "correct horse battery staple"}))
    assert paths(api) == ["DELETE /me", "POST /refreshSession", "DELETE /me"]
    assert api.requests[2].headers["authorization"] == "Bearer a-2"
    assert redirected(events) == [SIGN_IN_PAGE]


def test_delete_limit_reads_as_a_wait_in_words_counted_down(
    root_state: rx.State, use_api: UseApi
) -> None:
    session = _signed_in(root_state)
    use_api(FakeApi(throttled("45")))
    page = substate(root_state, DeleteState)
    events = run(page.submit({DELETE_PASSWORD: "correct horse battery staple"}))
    assert (page.banner, page.wait) == (
        "Too many attempts. Your account has not been deleted.",
        "in 45 seconds",
    )
    assert page.banner_request_id == "rid-429"
    assert DeleteState.count_down in events
    # The section's own banner: the account view's may show sign-out's at the same time.
    assert focused(events) == [DELETE_BANNER]
    assert session.username == "AdaLovelace"


def test_delete_while_the_limit_lasts_sends_nothing(root_state: rx.State, use_api: UseApi) -> None:
    _signed_in(root_state)
    api = use_api(FakeApi(throttled("600")))
    page = substate(root_state, DeleteState)
    run(page.submit({DELETE_PASSWORD: "correct horse battery staple"}))
    page.cancel()
    page.ask()  # closing and opening the section keeps a limit that still runs
    events = run(page.submit({DELETE_PASSWORD: "correct horse battery staple"}))
    assert len(api.requests) == 1
    assert (page.asking, page.wait) == (True, "in about 10 minutes")
    assert page.banner == "Too many attempts. Your account has not been deleted."
    assert focused(events) == [DELETE_BANNER]


def test_delete_says_so_when_the_wait_is_over_then_sends_again(
    root_state: rx.State, use_api: UseApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    _signed_in(root_state)
    api = use_api(FakeApi([throttled("45"), no_content()]))
    page = substate(root_state, DeleteState)
    run(page.submit({DELETE_PASSWORD: "correct horse battery staple"}))
    later = time.time() + 46
    monkeypatch.setattr(time, "time", lambda: later)
    page._show_wait(later)  # the countdown's last tick
    assert (page.wait, page.banner) == ("", "You can try deleting your account again now.")
    events = run(page.submit({DELETE_PASSWORD: "correct horse battery staple"}))
    assert len(api.requests) == 2
    assert redirected(events) == [SIGN_IN_PAGE]
