"""The whole request: presence, types, unknown fields, every problem reported together."""

from __future__ import annotations

import pytest

from contract.rules import InvalidSignup, PasswordPolicy, validate_signup

POLICY = PasswordPolicy()
GOOD = {
    "username": "Ａｄａ",
    "email": "Ada@Example.COM",
    "password": "correct horse battery staple",
}


def _codes(payload: dict[str, object]) -> list[tuple[str | None, str]]:
    with pytest.raises(InvalidSignup) as caught:
        validate_signup(payload, policy=POLICY)
    return [(problem.field, problem.code) for problem in caught.value.problems]


def test_validate_signup_normalises_a_valid_request() -> None:
    signup = validate_signup(GOOD, policy=POLICY)
    assert (signup.username, signup.username_key) == ("Ada", "ada")
    assert (signup.email, signup.email_key) == ("Ada@example.com", "ada@example.com")
    assert "correct horse" not in repr(signup)


def test_validate_signup_reports_every_field_together() -> None:
    assert _codes({"username": "a", "email": "nope", "password": "short"}) == [
        ("username", "username_too_short"),
        ("email", "email_invalid"),
        ("password", "password_too_short"),
    ]


def test_validate_signup_requires_all_fields() -> None:
    assert _codes({}) == [
        ("username", "username_required"),
        ("email", "email_required"),
        ("password", "password_required"),
    ]


@pytest.mark.parametrize("value", [42, 1.5, True, ["ada"], {"name": "ada"}])
def test_validate_signup_rejects_non_strings(value: object) -> None:
    assert _codes({**GOOD, "username": value}) == [("username", "field_type")]


def test_validate_signup_null_counts_as_missing() -> None:
    assert _codes({**GOOD, "email": None}) == [("email", "email_required")]


def test_validate_signup_rejects_unknown_fields_each() -> None:
    assert _codes({**GOOD, "isAdmin": True, "role": "root"}) == [
        ("isAdmin", "field_unknown"),
        ("role", "field_unknown"),
    ]


def test_validate_signup_checks_similarity_against_the_email() -> None:
    payload = {**GOOD, "email": "correcthorsebatterystaple@example.com"}
    assert _codes(payload) == [("password", "password_similar")]


def test_validate_signup_judges_present_fields_when_others_are_missing() -> None:
    assert _codes({"username": "x" * 40, "password": 15}) == [
        ("username", "username_too_long"),
        ("email", "email_required"),
        ("password", "field_type"),
    ]
