"""SessionState: the account read with a bearer token, refreshed once on 401, and sign-out.

The tokens live in private variables: never in what Reflex sends a browser.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest
import reflex as rx

from contract.headers import AUTHORIZATION
from contract.routes import SIGN_IN_PAGE
from signup_web.api import Session
from signup_web.focus import BANNER
from signup_web.session_state import (
    ACCOUNT_HEADING,
    SESSION_ENDED,
    SIGN_IN_FIRST,
    SIGNED_OUT,
    SessionState,
)
from tests.support.fake_api import (
    FakeApi,
    account,
    problem,
    signed_in,
    signed_out,
    throttled,
    unauthorized,
)
from tests.support.state_handlers import focused, redirected, run, sent_to_browser, substate

UseApi = Callable[[FakeApi], FakeApi]
ACCESS, REFRESH = "access-token-1", "refresh-token-1"
REFRESH_REFUSED = problem(401, [(None, "refresh_token_invalid", "Sign in again.")])


@pytest.fixture
def session(root_state: rx.State) -> SessionState:
    """A tab that has just signed in."""
    state = substate(root_state, SessionState)
    state.begin(Session(access_token=ACCESS, refresh_token=REFRESH, expires_in=900, request_id=""))
    return state


def paths(api: FakeApi) -> list[str]:
    """The routes the fake was asked, in order."""
    return [f"{r.method} {r.url.path}" for r in api.requests]


def test_load_account_without_a_session_goes_to_sign_in(
    root_state: rx.State, use_api: UseApi
) -> None:
    api = use_api(FakeApi(account()))
    state = substate(root_state, SessionState)
    events = run(state.load_account())
    assert api.requests == []
    assert redirected(events) == [SIGN_IN_PAGE]
    assert state.farewell == SIGN_IN_FIRST


def test_load_account_reads_me_with_the_access_token(
    root_state: rx.State, session: SessionState, use_api: UseApi
) -> None:
    api = use_api(FakeApi(account()))
    events = run(session.load_account())
    [request] = api.requests
    assert request.headers[AUTHORIZATION] == f"Bearer {ACCESS}"
    assert (session.username, session.email) == ("AdaLovelace", "ada@example.com")
    assert session.created == "23 November 2026, 19:03 UTC"
    assert session.verified == "23 November 2026, 19:05 UTC"
    assert focused(events) == [ACCOUNT_HEADING]
    assert not session.loading
    # The user is on show; neither token is in anything a browser is sent.
    shown = sent_to_browser(root_state)
    assert "AdaLovelace" in shown
    assert ACCESS not in shown and REFRESH not in shown


def test_load_account_refreshes_once_after_a_401_and_reads_again(
    root_state: rx.State, session: SessionState, use_api: UseApi
) -> None:
    api = use_api(FakeApi([unauthorized(), signed_in("access-2", "refresh-2"), account()]))
    run(session.load_account())
    assert paths(api) == ["GET /me", "POST /refreshSession", "GET /me"]
    assert api.requests[2].headers[AUTHORIZATION] == "Bearer access-2"
    assert (session._access_token, session._refresh_token) == ("access-2", "refresh-2")
    assert session.username == "AdaLovelace"
    assert "refresh-2" not in sent_to_browser(root_state)


def test_load_account_refresh_refused_ends_the_session(
    session: SessionState, use_api: UseApi
) -> None:
    api = use_api(FakeApi([unauthorized(), REFRESH_REFUSED]))
    events = run(session.load_account())
    assert paths(api) == ["GET /me", "POST /refreshSession"]
    assert redirected(events) == [SIGN_IN_PAGE]
    assert (session._access_token, session._refresh_token) == ("", "")
    assert session.farewell == SESSION_ENDED


def test_load_account_refreshed_token_refused_too_ends_the_session(
    session: SessionState, use_api: UseApi
) -> None:
    api = use_api(FakeApi([unauthorized(), signed_in("access-2", "refresh-2"), unauthorized()]))
    events = run(session.load_account())
    assert len(api.requests) == 3  # one refresh, never a loop
    assert redirected(events) == [SIGN_IN_PAGE]
    assert session._refresh_token == ""


def test_load_account_unavailable_keeps_the_session_with_a_banner(
    session: SessionState, use_api: UseApi
) -> None:
    use_api(FakeApi(httpx.ConnectError("refused")))
    events = run(session.load_account())
    assert "could not be reached" in session.banner
    assert "still signed in" in session.banner
    assert focused(events) == [BANNER]
    assert redirected(events) == []
    assert session._refresh_token == REFRESH


def test_load_account_other_refusal_keeps_the_session_with_a_banner(
    session: SessionState, use_api: UseApi
) -> None:
    use_api(FakeApi(httpx.Response(404, json={"message": "Not Found"})))
    events = run(session.load_account())
    assert session.banner == "The request was refused (HTTP 404)."
    assert focused(events) == [BANNER]
    assert session._refresh_token == REFRESH


def test_sign_out_revokes_the_refresh_token_and_forgets_both(
    session: SessionState, use_api: UseApi
) -> None:
    api = use_api(FakeApi([account(), signed_out()]))
    run(session.load_account())
    events = run(session.sign_out())
    assert paths(api)[-1] == "POST /signOut"
    assert api.bodies()[-1] == {"refreshToken": REFRESH}
    assert redirected(events) == [SIGN_IN_PAGE]
    assert (session._access_token, session._refresh_token, session.username) == ("", "", "")
    assert session.farewell == SIGNED_OUT


def test_sign_out_of_a_revoked_session_still_signs_out(
    session: SessionState, use_api: UseApi
) -> None:
    use_api(FakeApi(REFRESH_REFUSED))
    events = run(session.sign_out())
    assert redirected(events) == [SIGN_IN_PAGE]
    assert session._refresh_token == ""


@pytest.mark.parametrize("answer", [httpx.ConnectError("refused"), throttled("5")])
def test_sign_out_unavailable_says_still_signed_in(
    session: SessionState, use_api: UseApi, answer: httpx.Response | Exception
) -> None:
    use_api(FakeApi(answer))
    events = run(session.sign_out())
    assert "still signed in" in session.banner
    assert focused(events) == [BANNER]
    assert redirected(events) == []
    assert session._refresh_token == REFRESH
    assert not session.signing_out


def test_sign_out_limit_reads_as_a_wait_in_words_counted_down(
    session: SessionState, use_api: UseApi
) -> None:
    use_api(FakeApi(throttled("45")))
    events = run(session.sign_out())
    assert (session.banner, session.wait) == (
        "Too many attempts. You are still signed in.",
        "in 45 seconds",
    )
    assert session.banner_request_id == "rid-429"
    assert SessionState.count_down in events
    assert focused(events) == [BANNER]


def test_sign_out_while_the_limit_lasts_sends_nothing(
    session: SessionState, use_api: UseApi
) -> None:
    api = use_api(FakeApi([throttled("600"), account()]))
    run(session.sign_out())
    run(session.load_account())  # a reload keeps the wait on show
    events = run(session.sign_out())
    assert paths(api) == ["POST /signOut", "GET /me"]
    assert (session.banner, session.wait) == (
        "Too many attempts. You are still signed in.",
        "in about 10 minutes",
    )
    assert focused(events) == [BANNER]
    assert session._refresh_token == REFRESH


def test_sign_out_says_so_when_the_wait_is_over_then_signs_out(
    session: SessionState, use_api: UseApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = use_api(FakeApi([throttled("45"), signed_out()]))
    run(session.sign_out())
    later = time.time() + 46
    monkeypatch.setattr(time, "time", lambda: later)
    session._show_wait(later)  # the countdown's last tick
    assert (session.wait, session.banner) == ("", "You can try signing out again now.")
    events = run(session.sign_out())
    assert len(api.requests) == 2
    assert redirected(events) == [SIGN_IN_PAGE]


def test_sign_out_without_a_session_sends_nothing(root_state: rx.State, use_api: UseApi) -> None:
    api = use_api(FakeApi(signed_out()))
    assert run(substate(root_state, SessionState).sign_out()) == []
    assert api.requests == []


def test_begin_replaces_the_previous_session_and_its_user(session: SessionState) -> None:
    session.username, session.farewell = "Someone", SIGNED_OUT
    session.begin(Session(access_token="a2", refresh_token="r2", expires_in=900, request_id=""))
    assert (session.username, session.farewell, session._refresh_token) == ("", "", "r2")
