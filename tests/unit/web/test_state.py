"""SignupState's handlers called directly: when errors show, the request, focus, no password."""

from __future__ import annotations

import pickle
from collections.abc import Callable

import httpx
import pytest
import reflex as rx
from reflex.constants import RouteVar
from reflex.istate.data import RouterData

from contract.headers import FORWARDED_ADDRESS, IDEMPOTENCY_KEY
from contract.rules import FieldProblem, email_problem, password_problem, username_problem
from signup_web import services
from signup_web.api import SignupApi
from signup_web.focus import BANNER, ERROR_SUMMARY
from signup_web.inbox_state import INBOX_HEADING, RESEND_COOLDOWN_SECONDS, InboxState
from signup_web.state import CONFIRMATION_MISMATCH, CONFIRMATION_REQUIRED, SignupState
from tests.support.fake_api import FakeApi, created, problem, throttled
from tests.support.secrets import PASSWORDS
from tests.support.state_handlers import focused, run, substate
from tests.support.users import signup

PASSWORD = PASSWORDS[3]
# What the browser submits: a valid sign-up plus the confirmation field.
VALID_FORM = {**{k: str(v) for k, v in signup(password=PASSWORD).items()}, "confirmation": PASSWORD}
EMPTY_FORM = dict.fromkeys(VALID_FORM, "")
UseApi = Callable[[FakeApi], FakeApi]


@pytest.fixture
def form(root_state: rx.State) -> SignupState:
    """The sign-up form's state in a fresh tab."""
    return substate(root_state, SignupState)


@pytest.fixture
def inbox(root_state: rx.State) -> InboxState:
    """The check-your-inbox state of the same tab."""
    return substate(root_state, InboxState)


def submit(form: SignupState, data: dict[str, str]) -> list[object]:
    """Run the submit handler to the end; return what it yielded."""
    return run(form.submit(data))


def message(problem: FieldProblem | None) -> str:
    """The message of a problem the rules must have found."""
    assert problem is not None
    return problem.message


def assert_password_not_kept(root_state: rx.State, password: str) -> None:
    """Neither the vars of any page nor the pickled tab (what a state manager stores) hold it."""
    assert password not in repr(root_state.dict())
    assert password.encode() not in pickle.dumps(root_state)


def test_identity_left_untouched_marks_nothing(form: SignupState) -> None:
    # A keyboard user tabbing through empty fields sees no red.
    form.identity_left("username", "")
    form.identity_left("email", "")
    form.password_left("password", "", "")
    form.password_left("confirmation", "", "")
    assert not form.has_errors


def test_identity_typed_then_left_is_checked_then_live(form: SignupState) -> None:
    form.identity_typed("username", "a")
    assert form.username_error == ""  # not while typing at first
    form.identity_left("username", "a")
    assert form.username_error == message(username_problem("a"))
    form.identity_typed("username", "ada")
    assert form.username_error == ""


@pytest.mark.parametrize("value", ["ad", "-ada", "admin", "a" * 33, "ada lovelace"])
def test_identity_left_username_uses_backend_messages(form: SignupState, value: str) -> None:
    form.identity_typed("username", value)
    form.identity_left("username", value)
    assert form.username_error == message(username_problem(value))


@pytest.mark.parametrize("value", ["ada", "ada@", "ada@example", "a b@example.com"])
def test_identity_left_email_uses_backend_messages(form: SignupState, value: str) -> None:
    form.identity_typed("email", value)
    form.identity_left("email", value)
    assert form.email_error == message(email_problem(value))


def test_password_too_short_hides_the_hint_it_restates(form: SignupState) -> None:
    form.passwords_typed("password", "short", "")
    form.password_left("password", "short", "")
    policy = services.SETTINGS.policy
    assert form.password_error == message(password_problem("short", policy=policy))
    assert str(policy.min_length) in form.password_error
    assert not form.password_hint_shown
    assert form.confirmation_error == ""  # not visited yet
    form.passwords_typed("password", "a" * 16, "")  # long enough, but predictable
    assert form.password_error and form.password_hint_shown


def test_password_left_similar_to_username(form: SignupState) -> None:
    form.identity_typed("username", "AdaLovelace")
    form.identity_left("username", "AdaLovelace")
    form.passwords_typed("password", "adalovelace18151852", "")
    form.password_left("password", "adalovelace18151852", "")
    policy = services.SETTINGS.policy
    expected = password_problem("adalovelace18151852", policy=policy, username="AdaLovelace")
    assert expected is not None and expected.code == "password_similar"
    assert form.password_error == expected.message


def test_confirmation_checked_once_typed_and_left(form: SignupState) -> None:
    form.passwords_typed("password", PASSWORD, "")
    form.passwords_typed("confirmation", PASSWORD, "ocean")
    assert form.confirmation_error == ""
    form.password_left("confirmation", PASSWORD, "ocean")
    assert form.confirmation_error == CONFIRMATION_MISMATCH
    form.passwords_typed("confirmation", PASSWORD, PASSWORD)
    assert form.confirmation_error == ""
    form.passwords_typed("confirmation", PASSWORD, "")
    assert form.confirmation_error == CONFIRMATION_REQUIRED


def test_passwords_typed_rates_strength(form: SignupState) -> None:
    form.passwords_typed("password", PASSWORD, "")
    assert (form.strength_score, form.strength_label) == (4, "Strong")
    form.passwords_typed("password", "aaaaaaaaaaaaaaaa", "")
    assert form.strength_score == 0
    assert form.strength_hint  # zxcvbn says why
    form.passwords_typed("password", "", "")
    assert (form.strength_score, form.strength_label) == (-1, "")


def test_passwords_typed_longest_password_is_rated(form: SignupState) -> None:
    form.passwords_typed("password", "🦄 long " * 18, "")  # 126 characters, past zxcvbn's 72
    assert form.strength_score >= 0


def test_passwords_typed_keeps_no_password(form: SignupState, root_state: rx.State) -> None:
    form.passwords_typed("password", PASSWORD, PASSWORD)
    form.password_left("password", PASSWORD, PASSWORD)
    form.password_left("confirmation", PASSWORD, PASSWORD)
    assert_password_not_kept(root_state, PASSWORD)


def test_toggle_password_flips_visibility(form: SignupState) -> None:
    form.toggle_password()
    assert form.show_password
    form.toggle_password()
    assert not form.show_password


def test_submit_empty_shows_the_summary_and_focuses_it(form: SignupState, use_api: UseApi) -> None:
    api = use_api(FakeApi(created()))
    events = submit(form, EMPTY_FORM)
    assert api.requests == []
    assert form.summary_shown and form.has_errors
    assert focused(events) == [ERROR_SUMMARY]
    assert form.username_error == message(username_problem(""))
    assert form.confirmation_error == CONFIRMATION_REQUIRED


def test_submit_success_opens_the_inbox_and_forgets_the_form(
    form: SignupState, inbox: InboxState, root_state: rx.State, use_api: UseApi
) -> None:
    api = use_api(FakeApi(created()))
    pending = run(form.submit(VALID_FORM), each=lambda: form.pending)
    assert pending[0] is True  # busy while the request ran
    assert api.bodies() == [
        {"username": "AdaLovelace", "email": "ada@example.com", "password": PASSWORD}
    ]
    assert (inbox.address, inbox.after_signup) == ("ada@example.com", True)
    assert inbox.expires == "24 November 2026, 19:03 UTC"
    assert inbox.cooldown == RESEND_COOLDOWN_SECONDS
    assert (form.username, form.email, form.pending) == ("", "", False)
    assert_password_not_kept(root_state, PASSWORD)


def test_submit_success_focuses_the_inbox_heading_and_starts_the_countdown(
    form: SignupState, use_api: UseApi
) -> None:
    use_api(FakeApi(created()))
    events = submit(form, VALID_FORM)
    assert focused(events) == [INBOX_HEADING]
    assert InboxState.count_down in events


def test_submit_after_success_sends_nothing(form: SignupState, use_api: UseApi) -> None:
    # A second click queued behind the first must not sign up again (it would replace the link).
    api = use_api(FakeApi(created()))
    submit(form, VALID_FORM)
    submit(form, VALID_FORM)
    assert len(api.requests) == 1


def test_submit_too_short_password_sends_nothing(form: SignupState, use_api: UseApi) -> None:
    api = use_api(FakeApi(created()))
    events = submit(form, {**VALID_FORM, "password": "short", "confirmation": "short"})
    assert api.requests == []
    assert "at least" in form.password_error
    assert focused(events) == [ERROR_SUMMARY]
    assert not form.pending


def test_submit_mismatched_confirmation_sends_nothing(form: SignupState, use_api: UseApi) -> None:
    api = use_api(FakeApi(created()))
    submit(form, {**VALID_FORM, "confirmation": "ocean violet"})
    assert api.requests == []
    assert form.confirmation_error == CONFIRMATION_MISMATCH


def test_submit_username_taken_shows_in_summary_and_clears_when_edited(
    form: SignupState, inbox: InboxState, root_state: rx.State, use_api: UseApi
) -> None:
    use_api(FakeApi(problem(409, [("username", "username_taken", "Taken.")])))
    events = submit(form, VALID_FORM)
    assert form.username_error == "Taken."
    assert (form.email_error, form.banner) == ("", "")
    assert form.summary_shown
    assert focused(events) == [ERROR_SUMMARY]
    assert inbox.address == ""
    assert_password_not_kept(root_state, PASSWORD)
    form.identity_typed("username", "AdaLovelace2")
    assert form.username_error == ""
    assert not form.has_errors


def test_submit_api_password_problem_keeps_its_code(form: SignupState, use_api: UseApi) -> None:
    use_api(FakeApi(problem(400, [("password", "password_too_short", "Use at least 64.")])))
    submit(form, VALID_FORM)
    assert form.password_error == "Use at least 64."
    assert not form.password_hint_shown


def test_submit_unavailable_shows_a_banner_with_the_wait_and_focuses_it(
    form: SignupState, root_state: rx.State, use_api: UseApi
) -> None:
    response = problem(503, [(None, "store_unavailable", "Retry.")], request_id="rid-503")
    response.headers["retry-after"] = "1"
    use_api(FakeApi(response))
    events = submit(form, VALID_FORM)
    assert form.banner_request_id == "rid-503"
    assert "Try again in 1 second" in form.banner
    assert focused(events) == [BANNER]
    assert not form.pending
    assert_password_not_kept(root_state, PASSWORD)


def test_submit_rate_limited_says_how_long_to_wait(form: SignupState, use_api: UseApi) -> None:
    use_api(FakeApi(throttled("30")))
    events = submit(form, VALID_FORM)
    assert form.banner == "Too many attempts. Your details are still in the form."
    assert form.wait == "in 30 seconds"
    assert SignupState.count_down in events
    assert focused(events) == [BANNER]


def test_submit_while_the_limit_lasts_sends_nothing(form: SignupState, use_api: UseApi) -> None:
    api = use_api(FakeApi(throttled("600")))
    submit(form, VALID_FORM)
    events = submit(form, VALID_FORM)
    assert len(api.requests) == 1
    assert focused(events) == [BANNER]
    assert form.wait == "in about 10 minutes"


def test_submit_network_failure_then_retry_succeeds(
    form: SignupState, inbox: InboxState, use_api: UseApi
) -> None:
    api = use_api(FakeApi(httpx.ConnectError("refused")))
    submit(form, VALID_FORM)
    assert "could not be reached" in form.banner
    assert form.banner_request_id == ""
    api.answer = created()
    submit(form, VALID_FORM)
    assert inbox.address == "ada@example.com"
    assert form.banner == ""


def test_submit_form_level_problem_is_not_worded_as_a_retry(
    form: SignupState, use_api: UseApi
) -> None:
    use_api(FakeApi(problem(415, [(None, "unsupported_media_type", "Send JSON.")], request_id="r")))
    events = submit(form, VALID_FORM)
    assert (form.banner, form.banner_request_id) == ("Send JSON.", "r")
    assert "Try again" not in form.banner
    assert focused(events) == [BANNER]


def test_submit_while_pending_sends_nothing(form: SignupState, use_api: UseApi) -> None:
    api = use_api(FakeApi(created()))
    form.pending = True
    submit(form, VALID_FORM)
    assert api.requests == []


def test_start_over_forgets_errors_and_the_summary(form: SignupState, use_api: UseApi) -> None:
    use_api(FakeApi(created()))
    submit(form, EMPTY_FORM)
    form.start_over()
    assert not form.has_errors and not form.summary_shown
    form.identity_left("username", "")  # and the next visitor starts untouched
    assert form.username_error == ""


# Idempotency-Key: one per submission, kept for the person's own retry.


def keys(api: FakeApi) -> list[str]:
    """The Idempotency-Key of each request the fake received."""
    return [request.headers[IDEMPOTENCY_KEY] for request in api.requests]


def test_submitting_again_after_a_lost_answer_reuses_the_key(
    form: SignupState, inbox: InboxState, use_api: UseApi
) -> None:
    # The first answer never arrives (the client retried it too), then the
    # person clicks again: the API replays the sign-up, not `username_taken`.
    api = use_api(FakeApi(httpx.ReadTimeout("slow")))
    submit(form, VALID_FORM)
    assert "took too long" in form.banner
    api.answer = created()
    submit(form, VALID_FORM)
    assert inbox.address == "ada@example.com"
    assert len(api.requests) == 4
    assert len(set(keys(api))) == 1


@pytest.mark.parametrize(
    "edit",
    [
        lambda form: form.identity_typed("username", "AdaByron"),
        lambda form: form.passwords_typed("password", PASSWORDS[4], PASSWORDS[4]),
    ],
    ids=["identity", "password"],
)
def test_an_edit_makes_the_next_submission_a_new_one(
    form: SignupState, use_api: UseApi, edit: Callable[[SignupState], None]
) -> None:
    api = use_api(FakeApi(httpx.ConnectError("refused")))
    submit(form, VALID_FORM)
    edit(form)
    api.answer = created()
    submit(form, VALID_FORM)
    first, *_, last = keys(api)
    assert first != last


def test_a_fresh_form_gets_a_fresh_key(form: SignupState, use_api: UseApi) -> None:
    api = use_api(FakeApi(created()))
    submit(form, VALID_FORM)
    form.start_over()
    substate(form.parent_state, InboxState).close()  # type: ignore[arg-type]
    submit(form, VALID_FORM)
    assert len(set(keys(api))) == 2


def test_a_key_the_api_saw_with_other_details_is_replaced_once(
    form: SignupState, inbox: InboxState, use_api: UseApi
) -> None:
    reused = problem(422, [(None, "idempotency_key_reused", "Used for another request.")])
    api = use_api(FakeApi([reused, created()]))
    submit(form, VALID_FORM)
    assert inbox.address == "ada@example.com"
    assert len(set(keys(api))) == 2


def test_submit_forwards_the_browsers_address_with_the_secret(
    form: SignupState, root_state: rx.State, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = FakeApi(created())
    client = SignupApi("http://api.test", transport=api.transport, client_address_secret="s" * 43)
    monkeypatch.setattr(services, "SIGNUP_API", client)
    root_state.router = RouterData.from_router_data({RouteVar.CLIENT_IP: "198.51.100.23"})
    submit(form, VALID_FORM)
    assert api.requests[0].headers[FORWARDED_ADDRESS] == "198.51.100.23"


def test_start_over_keeps_a_limit_that_still_runs(form: SignupState, use_api: UseApi) -> None:
    use_api(FakeApi(throttled("600")))
    submit(form, VALID_FORM)
    form.start_over()  # a reload of the page
    assert form.wait == "in about 10 minutes"
    assert form.banner.startswith("Too many attempts.")
