"""The API client: status codes and problem+json mapped to outcomes, no network involved."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from signup_web.api import DEFAULT_TIMEOUT, ApiUnavailable, Registered, Rejected, SignupApi
from tests.web.fakes import FakeApi, created, problem

PASSWORD = "analytical engine notes 1843"


def create(api: FakeApi, base_url: str = "http://api.test") -> Registered | Rejected:
    """Call create_user once against the fake."""
    client = SignupApi(base_url, transport=api.transport)
    return asyncio.run(
        client.create_user(username="AdaLovelace", email="ada@example.com", password=PASSWORD)
    )


def test_create_user_success_returns_the_new_user() -> None:
    api = FakeApi(created())
    outcome = create(api)
    assert outcome == Registered(
        user_id="0b9f3f5e-5c1a-4d8e-9f3c-2a7d6c1e4b10",
        username="AdaLovelace",
        email="ada@example.com",
        created_at="2026-11-23T19:03:58.391Z",
        request_id="rid-ok",
    )


def test_create_user_posts_json_to_create_user_with_timeouts() -> None:
    api = FakeApi(created())
    create(api, base_url="https://abc.execute-api.eu-west-1.amazonaws.com/")
    [request] = api.requests
    assert request.method == "POST"
    assert str(request.url) == "https://abc.execute-api.eu-west-1.amazonaws.com/createUser"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "username": "AdaLovelace",
        "email": "ada@example.com",
        "password": PASSWORD,
    }
    assert request.extensions["timeout"] == DEFAULT_TIMEOUT.as_dict()
    assert DEFAULT_TIMEOUT.connect == 3.0 and DEFAULT_TIMEOUT.read == 15.0


def test_create_user_validation_problems_map_to_fields() -> None:
    api = FakeApi(
        problem(
            400,
            [
                ("username", "username_too_short", "Use at least 3 characters."),
                ("password", "password_common", "Too common."),
                ("password", "password_similar", "Second problem, not shown."),
            ],
        )
    )
    outcome = create(api)
    assert isinstance(outcome, Rejected)
    assert outcome.status == 400
    assert outcome.field_errors == {
        "username": "Use at least 3 characters.",
        "password": "Too common.",
    }
    assert outcome.codes == ("username_too_short", "password_common", "password_similar")
    assert outcome.form_errors == ()
    assert outcome.request_id == "rid-problem"


@pytest.mark.parametrize(
    ("taken", "fields"),
    [
        (["email"], {"email"}),
        (["username"], {"username"}),
        (["username", "email"], {"username", "email"}),
    ],
)
def test_create_user_conflict_names_each_taken_field(taken: list[str], fields: set[str]) -> None:
    errors = [(name, f"{name}_taken", f"This {name} is taken.") for name in taken]
    outcome = create(FakeApi(problem(409, errors)))
    assert isinstance(outcome, Rejected)
    assert set(outcome.field_errors) == fields
    assert outcome.codes == tuple(f"{name}_taken" for name in taken)


def test_create_user_body_level_problem_is_a_form_error() -> None:
    api = FakeApi(problem(415, [(None, "unsupported_media_type", "Send JSON.")]))
    outcome = create(api)
    assert isinstance(outcome, Rejected)
    assert outcome.field_errors == {}
    assert outcome.form_errors == ("Send JSON.",)


def test_create_user_unknown_field_problem_is_a_form_error() -> None:
    api = FakeApi(problem(400, [("nickname", "field_unknown", "This field is not accepted.")]))
    outcome = create(api)
    assert isinstance(outcome, Rejected)
    assert outcome.form_errors == ("This field is not accepted.",)


def test_create_user_non_problem_4xx_still_explains() -> None:
    # What API Gateway itself answers when API_URL points at the wrong path.
    api = FakeApi(httpx.Response(404, json={"message": "Not Found"}))
    outcome = create(api)
    assert isinstance(outcome, Rejected)
    assert outcome.form_errors == ("The request was refused (HTTP 404).",)


def test_create_user_503_is_retryable_with_request_id_and_retry_after() -> None:
    response = problem(503, [(None, "store_unavailable", "Please retry.")], request_id="rid-503")
    response.headers["retry-after"] = "1"
    with pytest.raises(ApiUnavailable) as caught:
        create(FakeApi(response))
    assert caught.value.status == 503
    assert caught.value.request_id == "rid-503"
    assert caught.value.retry_after == "1"


@pytest.mark.parametrize("status", [429, 500, 502, 504])
def test_create_user_other_failures_are_retryable(status: int) -> None:
    # A gateway's own 5xx may be HTML: the request id then comes from the header.
    response = httpx.Response(status, headers={"x-request-id": "rid-h"}, text="<html>oops</html>")
    with pytest.raises(ApiUnavailable) as caught:
        create(FakeApi(response))
    assert caught.value.status == status
    assert caught.value.request_id == "rid-h"


def test_create_user_unreachable_is_retryable_without_request_id() -> None:
    with pytest.raises(ApiUnavailable) as caught:
        create(FakeApi(httpx.ConnectError("connection refused")))
    assert caught.value.status is None
    assert caught.value.request_id == ""
    assert "could not be reached" in caught.value.reason


def test_create_user_timeout_is_retryable() -> None:
    with pytest.raises(ApiUnavailable) as caught:
        create(FakeApi(httpx.ReadTimeout("slow")))
    assert "too long" in caught.value.reason


def test_create_user_unreadable_success_is_not_taken_for_a_user() -> None:
    with pytest.raises(ApiUnavailable):
        create(FakeApi(httpx.Response(200, json={"userId": "x"})))
