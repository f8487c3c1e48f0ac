"""VerifyState: the token comes from the page's URL at the click, and is never kept."""

from __future__ import annotations

import pickle
from collections.abc import Callable

import httpx
import pytest
import reflex as rx
from reflex.istate.data import RouterData

from signup_web.focus import BANNER
from signup_web.verify_state import (
    CONFIRM,
    EXPIRED,
    INVALID,
    VERIFIED,
    VERIFY_HEADING,
    VerifyState,
)
from tests.support.fake_api import FakeApi, problem, throttled, verified
from tests.support.state_handlers import focused, run, substate

# Shaped like a token, but only ever sent to the fake API.
TOKEN = "Vx1mF0wq3nQyGZl2a9kP7rX8bT4cD6eH5jL0sU2vW1y"
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


def test_confirm_posts_the_token_and_names_the_user(root_state: rx.State, use_api: UseApi) -> None:
    api = use_api(FakeApi(verified()))
    page = at(root_state, f"/verify?token={TOKEN}")
    events = run(page.confirm())
    assert api.bodies() == [{"token": TOKEN}]
    assert (page.view, page.username, page.email) == (VERIFIED, "AdaLovelace", "ada@example.com")
    assert focused(events) == [VERIFY_HEADING]
    # The token lives in the URL only: none of the page's own variables holds it.
    own = pickle.dumps({name: getattr(page, name) for name in page.base_vars})
    assert TOKEN.encode() not in own


def test_confirm_twice_posts_once(root_state: rx.State, use_api: UseApi) -> None:
    api = use_api(FakeApi(verified()))
    page = at(root_state, f"/verify?token={TOKEN}")
    run(page.confirm())
    run(page.confirm())
    assert len(api.requests) == 1


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
    events = run(page.confirm())
    assert page.view == view
    assert focused(events) == [VERIFY_HEADING]


def test_confirm_unavailable_keeps_the_confirm_view_with_a_banner(
    root_state: rx.State, use_api: UseApi
) -> None:
    use_api(FakeApi(httpx.ConnectError("refused")))
    page = at(root_state, f"/verify?token={TOKEN}")
    events = run(page.confirm())
    assert page.view == CONFIRM
    assert "could not be reached" in page.banner
    assert "not confirmed yet" in page.banner
    assert focused(events) == [BANNER]
    assert not page.pending


def test_confirm_rate_limited_says_how_long(root_state: rx.State, use_api: UseApi) -> None:
    use_api(FakeApi(throttled("12")))
    page = at(root_state, f"/verify?token={TOKEN}")
    run(page.confirm())
    assert page.banner.startswith("Too many attempts.") and page.banner.endswith("in 12 s.")


def test_confirm_other_refusal_is_a_banner(root_state: rx.State, use_api: UseApi) -> None:
    # API Gateway's own 404 when API_URL is wrong: not the link's fault.
    use_api(FakeApi(httpx.Response(404, json={"message": "Not Found"})))
    page = at(root_state, f"/verify?token={TOKEN}")
    events = run(page.confirm())
    assert page.view == CONFIRM
    assert page.banner == "The request was refused (HTTP 404)."
    assert focused(events) == [BANNER]


def test_arrive_again_starts_afresh(root_state: rx.State, use_api: UseApi) -> None:
    use_api(FakeApi(verified()))
    page = at(root_state, f"/verify?token={TOKEN}")
    run(page.confirm())
    page.arrive()
    assert (page.view, page.username) == (CONFIRM, "")
