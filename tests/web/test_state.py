"""SignupState's handlers called directly: the rules, the request flow, no password kept."""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import Callable

import httpx
import pytest

from backend.rules import FieldProblem, email_problem, password_problem, username_problem
from signup_web import state as state_module
from signup_web.api import SignupApi
from signup_web.state import CONFIRMATION_MISMATCH, CONFIRMATION_REQUIRED, SignupState
from tests.support.secrets import PASSWORDS
from tests.support.users import signup
from tests.web.fakes import FakeApi, created, problem

PASSWORD = PASSWORDS[3]
# What the browser submits: a valid sign-up plus the confirmation field.
VALID_FORM = {**{k: str(v) for k, v in signup(password=PASSWORD).items()}, "confirmation": PASSWORD}


@pytest.fixture
def signup_state() -> SignupState:
    """A fresh state, as Reflex creates one per browser tab."""
    return SignupState(_reflex_internal_init=True)


@pytest.fixture
def use_api(monkeypatch: pytest.MonkeyPatch) -> Callable[[FakeApi], FakeApi]:
    """Point the state's client at a fake API."""

    def use(api: FakeApi) -> FakeApi:
        monkeypatch.setattr(
            state_module, "SIGNUP_API", SignupApi("http://api.test", transport=api.transport)
        )
        return api

    return use


def submit(signup_state: SignupState, form: dict[str, str]) -> list[bool]:
    """Run the submit handler to the end; return `pending` at each step it yielded."""

    async def run() -> list[bool]:
        return [signup_state.pending async for _ in signup_state.submit(form)]

    return asyncio.run(run())


def message(problem: FieldProblem | None) -> str:
    """The message of a problem the rules must have found."""
    assert problem is not None
    return problem.message


def assert_password_not_kept(signup_state: SignupState, password: str) -> None:
    """Neither the vars nor the pickled state (what a state manager stores) hold it."""
    assert password not in repr(signup_state.dict())
    assert password.encode() not in pickle.dumps(signup_state)


def test_identity_typed_waits_until_the_field_was_left(signup_state: SignupState) -> None:
    signup_state.identity_typed("username", "a")
    assert signup_state.username_error == ""
    signup_state.identity_left("username", "a")
    assert signup_state.username_error == message(username_problem("a"))
    signup_state.identity_typed("username", "ada")
    assert signup_state.username_error == ""


@pytest.mark.parametrize("value", ["", "ad", "-ada", "admin", "a" * 33, "ada lovelace"])
def test_identity_left_username_uses_backend_messages(
    signup_state: SignupState, value: str
) -> None:
    signup_state.identity_left("username", value)
    assert signup_state.username_error == message(username_problem(value))


@pytest.mark.parametrize("value", ["", "ada", "ada@", "ada@example", "a b@example.com"])
def test_identity_left_email_uses_backend_messages(signup_state: SignupState, value: str) -> None:
    signup_state.identity_left("email", value)
    assert signup_state.email_error == message(email_problem(value))


def test_password_left_too_short_names_the_stage_minimum(signup_state: SignupState) -> None:
    signup_state.password_left("password", "short", "")
    policy = state_module.SETTINGS.policy
    assert signup_state.password_error == message(password_problem("short", policy=policy))
    assert str(policy.min_length) in signup_state.password_error
    assert signup_state.confirmation_error == ""  # not visited yet


def test_password_left_similar_to_username(signup_state: SignupState) -> None:
    signup_state.identity_left("username", "AdaLovelace")
    signup_state.password_left("password", "adalovelace18151852", "")
    policy = state_module.SETTINGS.policy
    expected = password_problem("adalovelace18151852", policy=policy, username="AdaLovelace")
    assert expected is not None and expected.code == "password_similar"
    assert signup_state.password_error == expected.message


def test_confirmation_checked_once_left(signup_state: SignupState) -> None:
    signup_state.passwords_typed(PASSWORD, "ocean")
    assert signup_state.confirmation_error == ""
    signup_state.password_left("confirmation", PASSWORD, "ocean")
    assert signup_state.confirmation_error == CONFIRMATION_MISMATCH
    signup_state.passwords_typed(PASSWORD, PASSWORD)
    assert signup_state.confirmation_error == ""
    signup_state.passwords_typed(PASSWORD, "")
    assert signup_state.confirmation_error == CONFIRMATION_REQUIRED


def test_passwords_typed_rates_strength(signup_state: SignupState) -> None:
    signup_state.passwords_typed(PASSWORD, "")
    assert (signup_state.strength_score, signup_state.strength_label) == (4, "Strong")
    signup_state.passwords_typed("aaaaaaaaaaaaaaaa", "")
    assert signup_state.strength_score == 0
    assert signup_state.strength_hint  # zxcvbn says why
    signup_state.passwords_typed("", "")
    assert (signup_state.strength_score, signup_state.strength_label) == (-1, "")


def test_passwords_typed_longest_password_is_rated(signup_state: SignupState) -> None:
    signup_state.passwords_typed("🦄 long " * 18, "")  # 126 characters, past zxcvbn's 72
    assert signup_state.strength_score >= 0


def test_passwords_typed_keeps_no_password(signup_state: SignupState) -> None:
    signup_state.password_left("password", PASSWORD, PASSWORD)
    signup_state.password_left("confirmation", PASSWORD, PASSWORD)
    signup_state.passwords_typed(PASSWORD, PASSWORD)
    assert_password_not_kept(signup_state, PASSWORD)


def test_toggle_password_flips_visibility(signup_state: SignupState) -> None:
    signup_state.toggle_password()
    assert signup_state.show_password
    signup_state.toggle_password()
    assert not signup_state.show_password


def test_submit_success_shows_the_new_user(
    signup_state: SignupState, use_api: Callable[[FakeApi], FakeApi]
) -> None:
    api = use_api(FakeApi(created()))
    steps = submit(signup_state, VALID_FORM)
    assert steps == [True]  # pending while the request ran
    assert api.bodies() == [
        {"username": "AdaLovelace", "email": "ada@example.com", "password": PASSWORD}
    ]
    assert signup_state.registered
    assert (signup_state.new_username, signup_state.new_email) == ("AdaLovelace", "ada@example.com")
    assert not signup_state.pending
    assert_password_not_kept(signup_state, PASSWORD)


def test_submit_too_short_password_sends_nothing(
    signup_state: SignupState, use_api: Callable[[FakeApi], FakeApi]
) -> None:
    api = use_api(FakeApi(created()))
    steps = submit(signup_state, {**VALID_FORM, "password": "short", "confirmation": "short"})
    assert steps == []
    assert api.requests == []
    assert "at least" in signup_state.password_error
    assert not signup_state.registered and not signup_state.pending


def test_submit_mismatched_confirmation_sends_nothing(
    signup_state: SignupState, use_api: Callable[[FakeApi], FakeApi]
) -> None:
    api = use_api(FakeApi(created()))
    submit(signup_state, {**VALID_FORM, "confirmation": "ocean violet"})
    assert api.requests == []
    assert signup_state.confirmation_error == CONFIRMATION_MISMATCH


def test_submit_email_taken_shows_under_email(
    signup_state: SignupState, use_api: Callable[[FakeApi], FakeApi]
) -> None:
    message = "This email address is already registered."
    use_api(FakeApi(problem(409, [("email", "email_taken", message)])))
    submit(signup_state, VALID_FORM)
    assert signup_state.email_error == message
    assert signup_state.username_error == ""
    assert signup_state.banner == ""
    assert not signup_state.registered and not signup_state.pending
    assert_password_not_kept(signup_state, PASSWORD)


def test_submit_username_taken_clears_when_edited(
    signup_state: SignupState, use_api: Callable[[FakeApi], FakeApi]
) -> None:
    use_api(FakeApi(problem(409, [("username", "username_taken", "Taken.")])))
    submit(signup_state, VALID_FORM)
    assert signup_state.username_error == "Taken."
    signup_state.identity_typed("username", "AdaLovelace2")
    assert signup_state.username_error == ""


def test_submit_unavailable_shows_retryable_banner_with_request_id(
    signup_state: SignupState, use_api: Callable[[FakeApi], FakeApi]
) -> None:
    response = problem(503, [(None, "store_unavailable", "Retry.")], request_id="rid-503")
    response.headers["retry-after"] = "1"
    use_api(FakeApi(response))
    submit(signup_state, VALID_FORM)
    assert signup_state.banner_retryable
    assert signup_state.banner_request_id == "rid-503"
    assert "Try again in 1 s" in signup_state.banner
    assert not signup_state.registered and not signup_state.pending
    assert_password_not_kept(signup_state, PASSWORD)


def test_submit_network_failure_then_retry_succeeds(
    signup_state: SignupState, use_api: Callable[[FakeApi], FakeApi]
) -> None:
    api = use_api(FakeApi(httpx.ConnectError("refused")))
    submit(signup_state, VALID_FORM)
    assert signup_state.banner_retryable
    assert signup_state.banner_request_id == ""
    api.answer = created()
    submit(signup_state, VALID_FORM)
    assert signup_state.registered
    assert signup_state.banner == ""


def test_submit_form_level_problem_is_not_retryable(
    signup_state: SignupState, use_api: Callable[[FakeApi], FakeApi]
) -> None:
    use_api(FakeApi(problem(415, [(None, "unsupported_media_type", "Send JSON.")], request_id="r")))
    submit(signup_state, VALID_FORM)
    assert (signup_state.banner, signup_state.banner_request_id) == ("Send JSON.", "r")
    assert not signup_state.banner_retryable


def test_submit_while_pending_sends_nothing(
    signup_state: SignupState, use_api: Callable[[FakeApi], FakeApi]
) -> None:
    api = use_api(FakeApi(created()))
    signup_state.pending = True
    submit(signup_state, VALID_FORM)
    assert api.requests == []
