"""The API client: status codes and problem+json mapped to outcomes, no network involved."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time

import httpx
import pytest

from contract.headers import AUTHORIZATION, FORWARDED_ADDRESS, FORWARDED_SECRET, IDEMPOTENCY_KEY
from signup_web.api import (
    DEFAULT_TIMEOUT,
    Account,
    ApiUnavailable,
    Rejected,
    ResendAccepted,
    Retries,
    Session,
    SignedOut,
    SignupApi,
    SignupPending,
    Verified,
    call_timeout,
    new_idempotency_key,
)
from tests.plugins.page_state import NO_PAUSES
from tests.support.fake_api import (
    FakeApi,
    accepted,
    account,
    created,
    in_progress,
    problem,
    signed_in,
    signed_out,
    throttled,
    unauthorized,
    verified,
)

PASSWORD = "analytical engine notes 1843"
TOKEN = "Vx1mF0wq3nQyGZl2a9kP7rX8bT4cD6eH5jL0sU2vW1y"
KEY = "7d444840-9dc0-11d1-b245-5ffdce74fad2"
SECRET = "s" * 43


def client_for(api: FakeApi, base_url: str = "http://api.test", **options: object) -> SignupApi:
    """A client of the fake; the retries' pauses are skipped unless `retries` is given."""
    options.setdefault("retries", NO_PAUSES)
    return SignupApi(base_url, transport=api.transport, **options)  # type: ignore[arg-type]


def create(
    api: FakeApi, base_url: str = "http://api.test", **options: object
) -> SignupPending | Rejected:
    """Call create_user once against the fake."""
    client = client_for(api, base_url, **options)
    return asyncio.run(
        client.create_user(
            username="AdaLovelace",
            email="ada@example.com",
            password=PASSWORD,
            key=KEY,
            for_address="203.0.113.7",
        )
    )


def verify(api: FakeApi) -> Verified | Rejected:
    """Call verify_email once against the fake."""
    return asyncio.run(client_for(api).verify_email(token=TOKEN, password=PASSWORD))


def sign_in(api: FakeApi) -> Session | Rejected:
    """Call sign_in once against the fake."""
    return asyncio.run(client_for(api).sign_in(login="AdaLovelace", password=PASSWORD))


def refresh(api: FakeApi) -> Session | Rejected:
    """Call refresh_session once against the fake."""
    return asyncio.run(client_for(api).refresh_session(refresh_token="refresh-1"))


def resend(api: FakeApi) -> ResendAccepted | Rejected:
    """Call resend_verification once against the fake."""
    return asyncio.run(client_for(api).resend_verification(email="ada@example.com", key=KEY))


def test_create_user_success_is_pending_verification() -> None:
    assert create(FakeApi(created())) == SignupPending(
        username="AdaLovelace",
        email="ada@example.com",
        expires_at="2026-11-24T19:03:58Z",
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


def test_verify_email_posts_the_token_and_returns_the_user() -> None:
    api = FakeApi(verified())
    outcome = verify(api)
    assert isinstance(outcome, Verified)
    assert (outcome.username, outcome.email, outcome.request_id) == (
        "AdaLovelace",
        "ada@example.com",
        "rid-verified",
    )
    assert str(api.requests[0].url) == "http://api.test/verifyEmail"
    assert api.bodies() == [{"token": TOKEN, "password": PASSWORD}]


@pytest.mark.parametrize(
    ("status", "code"), [(410, "token_expired"), (400, "token_invalid"), (400, "token_required")]
)
def test_verify_email_link_problems_are_rejections_with_their_code(status: int, code: str) -> None:
    outcome = verify(FakeApi(problem(status, [("token", code, "This link ...")])))
    assert isinstance(outcome, Rejected)
    assert (outcome.status, outcome.codes) == (status, (code,))
    assert outcome.field_errors == {"token": "This link ..."}
    assert outcome.field_codes == {"token": code}


def test_resend_verification_posts_the_address_and_is_accepted() -> None:
    api = FakeApi(accepted())
    outcome = resend(api)
    assert outcome == ResendAccepted(
        detail="If this address is waiting for confirmation, a new link is on its way.",
        request_id="rid-resend",
    )
    assert str(api.requests[0].url) == "http://api.test/resendVerification"
    assert api.bodies() == [{"email": "ada@example.com"}]


def test_resend_verification_bad_address_maps_to_email() -> None:
    outcome = resend(FakeApi(problem(400, [("email", "email_invalid", "Not an address.")])))
    assert isinstance(outcome, Rejected)
    assert outcome.field_errors == {"email": "Not an address."}


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
    assert outcome.field_codes == {"username": "username_too_short", "password": "password_common"}
    assert outcome.codes == ("username_too_short", "password_common", "password_similar")
    assert outcome.form_errors == ()
    assert outcome.request_id == "rid-problem"


def test_create_user_username_taken_is_under_username() -> None:
    outcome = create(FakeApi(problem(409, [("username", "username_taken", "Taken.")])))
    assert isinstance(outcome, Rejected)
    assert (outcome.status, outcome.field_errors) == (409, {"username": "Taken."})


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
    assert caught.value.retry_after == 1
    assert not caught.value.rate_limited


@pytest.mark.parametrize("call", [create, verify, resend, sign_in, refresh])
def test_every_call_rate_limited_says_how_long_to_wait(call: object) -> None:
    with pytest.raises(ApiUnavailable) as caught:
        call(FakeApi(throttled("7")))  # type: ignore[operator]
    assert caught.value.rate_limited
    assert (caught.value.retry_after, caught.value.request_id) == (7, "rid-429")
    assert caught.value.reason == "Too many attempts."


def test_gateway_throttle_is_rate_limited_without_a_wait() -> None:
    with pytest.raises(ApiUnavailable) as caught:
        create(FakeApi(throttled(None)))
    assert caught.value.rate_limited and caught.value.retry_after is None


@pytest.mark.parametrize("status", [500, 502, 504])
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
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


def test_create_user_timeout_is_retryable() -> None:
    with pytest.raises(ApiUnavailable) as caught:
        create(FakeApi(httpx.ReadTimeout("slow")))
    assert "too long" in caught.value.reason


# The submission's key, and the browser's address with the stage's secret.


def test_create_user_sends_the_submissions_key() -> None:
    api = FakeApi(created())
    create(api)
    assert api.requests[0].headers[IDEMPOTENCY_KEY] == KEY


def test_resend_sends_its_key_and_verify_sends_none() -> None:
    api = FakeApi(accepted())
    resend(api)
    assert api.requests[0].headers[IDEMPOTENCY_KEY] == KEY
    api = FakeApi(verified())
    verify(api)
    assert IDEMPOTENCY_KEY not in api.requests[0].headers


def test_new_keys_are_valid_and_never_repeat() -> None:
    keys = {new_idempotency_key() for _ in range(1000)}
    assert len(keys) == 1000
    assert all(1 <= len(k) <= 255 and k.isascii() and k.isprintable() for k in keys)


def test_browser_address_goes_with_the_stage_secret() -> None:
    api = FakeApi(created())
    create(api, client_address_secret=SECRET)
    headers = api.requests[0].headers
    assert (headers[FORWARDED_ADDRESS], headers[FORWARDED_SECRET]) == ("203.0.113.7", SECRET)


def test_without_the_secret_no_address_is_forwarded() -> None:
    api = FakeApi(created())
    create(api)
    assert FORWARDED_ADDRESS not in api.requests[0].headers
    assert FORWARDED_SECRET not in api.requests[0].headers


def test_without_an_address_the_secret_stays_home() -> None:
    api = FakeApi(verified())
    asyncio.run(
        client_for(api, client_address_secret=SECRET).verify_email(token=TOKEN, password=PASSWORD)
    )
    assert FORWARDED_SECRET not in api.requests[0].headers


# Retries: the same request, the same key, until an answer or the budget.


@pytest.mark.parametrize(
    "lost",
    [
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("peer closed connection"),
        problem(503, [(None, "store_unavailable", "Retry.")]),
        httpx.Response(502, text="Bad Gateway"),
        in_progress(),
    ],
    ids=["timeout", "dropped", "503", "502", "in-progress"],
)
def test_a_lost_answer_is_asked_for_again_with_the_same_key(lost: object) -> None:
    api = FakeApi([lost, created()])  # type: ignore[list-item]
    assert isinstance(create(api), SignupPending)
    assert len(api.requests) == 2
    first, retry = api.requests
    assert first.headers[IDEMPOTENCY_KEY] == retry.headers[IDEMPOTENCY_KEY] == KEY
    assert first.content == retry.content


def test_retries_stop_after_the_attempts_and_say_why() -> None:
    api = FakeApi(problem(503, [(None, "mail_unavailable", "Retry.")], request_id="rid-m"))
    with pytest.raises(ApiUnavailable) as caught:
        create(api, retries=Retries(attempts=3, pause=0, longest_pause=0))
    assert len(api.requests) == 3
    assert (caught.value.status, caught.value.request_id) == (503, "rid-m")


def test_still_in_progress_after_every_attempt_is_unavailable_not_refused() -> None:
    api = FakeApi(in_progress("1"))
    with pytest.raises(ApiUnavailable) as caught:
        create(api)
    assert caught.value.status == 409
    assert caught.value.retry_after == 1
    assert "still working" in caught.value.reason


@pytest.mark.parametrize(
    "answer",
    [
        throttled("7"),
        problem(409, [("username", "username_taken", "Taken.")]),
        problem(400, [("email", "email_invalid", "No.")]),
        problem(422, [(None, "idempotency_key_reused", "Other request.")]),
    ],
    ids=["429", "taken", "400", "422"],
)
def test_answers_that_a_repeat_cannot_change_are_not_repeated(answer: httpx.Response) -> None:
    api = FakeApi(answer)
    with contextlib.suppress(ApiUnavailable):
        create(api)
    assert len(api.requests) == 1


def test_verification_is_repeated_without_a_key() -> None:
    api = FakeApi([httpx.ReadTimeout("slow"), verified()])
    assert isinstance(verify(api), Verified)
    assert len(api.requests) == 2


def test_a_pause_longer_than_the_budget_left_is_not_taken() -> None:
    api = FakeApi(in_progress("3"))
    started = time.monotonic()
    with pytest.raises(ApiUnavailable):
        create(api, retries=Retries(attempts=5, budget=1.0, pause=0.1, longest_pause=5))
    assert len(api.requests) == 1
    assert time.monotonic() - started < 1.0


def test_the_pause_honours_retry_after_up_to_the_longest() -> None:
    api = FakeApi([in_progress("60"), created()])
    started = time.monotonic()
    create(api, retries=Retries(attempts=2, budget=5.0, pause=0, longest_pause=0.2))
    assert 0.2 <= time.monotonic() - started < 2.0


def test_each_attempt_waits_at_most_what_is_left_of_the_budget() -> None:
    api = FakeApi(created())
    create(api, retries=Retries(budget=2.0))
    timeout = api.requests[0].extensions["timeout"]
    assert 1.5 < timeout["read"] <= 2.0
    assert 1.5 < timeout["connect"] <= 2.0


def test_call_timeout_keeps_the_connect_share_within_the_call() -> None:
    assert call_timeout(1.0).connect == 1.0
    assert call_timeout(15.0).connect == 3.0


@pytest.mark.parametrize("body", [{"username": "x"}, {"status": "pending_verification"}])
def test_create_user_unreadable_success_is_not_taken_for_a_sign_up(body: dict[str, str]) -> None:
    with pytest.raises(ApiUnavailable):
        create(FakeApi(httpx.Response(200, json=body)))


def test_verify_email_unreadable_success_is_not_taken_for_a_user() -> None:
    with pytest.raises(ApiUnavailable):
        verify(FakeApi(httpx.Response(200, json={"userId": "x"})))


def test_verify_email_wrong_password_is_a_rejection_under_password() -> None:
    answer = problem(400, [("password", "password_mismatch", "Not the sign-up's password.")])
    outcome = verify(FakeApi(answer))
    assert isinstance(outcome, Rejected)
    assert outcome.codes == ("password_mismatch",)
    assert outcome.field_errors == {"password": "Not the sign-up's password."}


def test_sign_in_posts_login_and_password_and_returns_the_tokens() -> None:
    api = FakeApi(signed_in())
    outcome = sign_in(api)
    assert outcome == Session(
        access_token="access-1", refresh_token="refresh-1", expires_in=900, request_id="rid-session"
    )
    assert str(api.requests[0].url) == "http://api.test/signIn"
    assert api.bodies() == [{"login": "AdaLovelace", "password": PASSWORD}]


def test_session_repr_shows_no_token() -> None:
    shown = repr(
        Session(access_token="a-secret", refresh_token="r-secret", expires_in=1, request_id="")
    )
    assert "a-secret" not in shown and "r-secret" not in shown


@pytest.mark.parametrize(
    ("status", "code"), [(401, "credentials_invalid"), (403, "email_unverified")]
)
def test_sign_in_refusals_are_rejections_with_their_code(status: int, code: str) -> None:
    outcome = sign_in(FakeApi(problem(status, [(None, code, "...")])))
    assert isinstance(outcome, Rejected)
    assert (outcome.status, outcome.codes) == (status, (code,))


def test_sign_in_is_never_repeated() -> None:
    # A lost answer may have counted as a failure, or opened a session: the person decides.
    api = FakeApi(httpx.Response(503, json={}))
    with pytest.raises(ApiUnavailable):
        sign_in(api)
    assert len(api.requests) == 1


def test_refresh_is_never_repeated_because_a_second_use_revokes_the_session() -> None:
    api = FakeApi([httpx.ReadTimeout("lost"), signed_in("access-2", "refresh-2")])
    with pytest.raises(ApiUnavailable):
        refresh(api)
    assert len(api.requests) == 1


def test_refresh_posts_the_refresh_token_and_returns_the_new_pair() -> None:
    api = FakeApi(signed_in("access-2", "refresh-2"))
    outcome = refresh(api)
    assert isinstance(outcome, Session)
    assert (outcome.access_token, outcome.refresh_token) == ("access-2", "refresh-2")
    assert str(api.requests[0].url) == "http://api.test/refreshSession"
    assert api.bodies() == [{"refreshToken": "refresh-1"}]


def test_refresh_refused_is_a_rejection() -> None:
    outcome = refresh(FakeApi(problem(401, [(None, "refresh_token_invalid", "...")])))
    assert isinstance(outcome, Rejected)
    assert (outcome.status, outcome.codes) == (401, ("refresh_token_invalid",))


def test_sign_out_posts_the_refresh_token_and_is_repeated_after_a_lost_answer() -> None:
    api = FakeApi([httpx.ReadTimeout("lost"), signed_out()])
    outcome = asyncio.run(client_for(api).sign_out(refresh_token="refresh-1"))
    assert outcome == SignedOut(request_id="rid-signed-out")
    assert [str(r.url) for r in api.requests] == ["http://api.test/signOut"] * 2
    assert api.bodies() == [{"refreshToken": "refresh-1"}] * 2


def test_get_me_sends_the_bearer_token_and_no_body() -> None:
    api = FakeApi(account())
    outcome = asyncio.run(client_for(api).get_me(access_token="access-1"))
    assert isinstance(outcome, Account)
    assert (outcome.username, outcome.created_at) == ("AdaLovelace", "2026-11-23T19:03:58.391Z")
    [request] = api.requests
    assert (request.method, str(request.url)) == ("GET", "http://api.test/me")
    assert request.headers[AUTHORIZATION] == "Bearer access-1"
    assert request.content == b""


def test_get_me_401_from_the_authorizer_is_a_rejection() -> None:
    outcome = asyncio.run(client_for(FakeApi(unauthorized())).get_me(access_token="old"))
    assert isinstance(outcome, Rejected)
    assert outcome.status == 401


def test_only_get_me_carries_a_bearer_token() -> None:
    api = FakeApi(signed_in())
    sign_in(api)
    assert AUTHORIZATION not in api.requests[0].headers
