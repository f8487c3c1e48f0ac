"""The whole sign-up request: field presence and types, then each field's rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from contract.rules.email import email_key, email_problem, normalize_email
from contract.rules.password import PasswordPolicy, normalize_password, password_problem
from contract.rules.problems import (
    FieldProblem,
    InvalidSignup,
    presence_problem,
    unknown_fields,
)
from contract.rules.username import normalize_username, username_key, username_problem

SIGNUP_FIELDS: Final = ("username", "email", "password")


@dataclass(frozen=True, slots=True)
class ValidSignup:
    """A request that passed every rule, in normalised form."""

    username: str
    username_key: str
    email: str
    email_key: str
    # repr=False: a validated request must never print its password.
    password: str = field(repr=False)


def _strings(payload: Mapping[str, object]) -> dict[str, str]:
    return {name: value for name in SIGNUP_FIELDS if isinstance(value := payload.get(name), str)}


def _field_problem(
    name: str, payload: Mapping[str, object], *, policy: PasswordPolicy
) -> FieldProblem | None:
    if problem := presence_problem(name, payload):
        return problem
    value = str(payload[name])
    if name == "username":
        return username_problem(value)
    if name == "email":
        return email_problem(value)
    # Similarity is judged against whatever the user typed, valid or not.
    texts = _strings(payload)
    return password_problem(
        value, policy=policy, username=texts.get("username", ""), email=texts.get("email", "")
    )


def validate_signup(payload: Mapping[str, object], *, policy: PasswordPolicy) -> ValidSignup:
    """Check every field and return the normalised request, or raise with all problems."""
    unknown = unknown_fields(payload, SIGNUP_FIELDS)
    # Every field is judged even when another is missing or mistyped, so one
    # answer lists everything the user has to fix.
    checked = (_field_problem(name, payload, policy=policy) for name in SIGNUP_FIELDS)
    problems = (*unknown, *(problem for problem in checked if problem is not None))
    if problems:
        raise InvalidSignup(problems)
    username, email, password = (str(payload[name]) for name in SIGNUP_FIELDS)
    return ValidSignup(
        username=normalize_username(username),
        username_key=username_key(username),
        email=normalize_email(email),
        email_key=email_key(email),
        password=normalize_password(password),
    )
