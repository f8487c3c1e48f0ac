"""The whole sign-up request: field presence and types, then each field's rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from backend.rules.email import email_key, email_problem, normalize_email
from backend.rules.password import PasswordPolicy, normalize_password, password_problem
from backend.rules.problems import FieldProblem, InvalidSignup
from backend.rules.username import normalize_username, username_key, username_problem

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


def _shape_problems(payload: Mapping[str, object]) -> list[FieldProblem]:
    problems = [
        FieldProblem(name, "field_unknown", "This field is not accepted.")
        for name in payload
        if name not in SIGNUP_FIELDS
    ]
    for name in SIGNUP_FIELDS:
        value = payload.get(name)
        if value is None:
            problems.append(FieldProblem(name, f"{name}_required", f"The {name} is required."))
        elif not isinstance(value, str):
            problems.append(FieldProblem(name, "field_type", "This field must be a string."))
    return problems


def validate_signup(payload: Mapping[str, object], *, policy: PasswordPolicy) -> ValidSignup:
    """Check every field and return the normalised request, or raise with all problems."""
    problems = _shape_problems(payload)
    if problems:
        raise InvalidSignup(tuple(problems))
    username, email, password = (str(payload[name]) for name in SIGNUP_FIELDS)
    checks = (
        username_problem(username),
        email_problem(email),
        password_problem(password, policy=policy, username=username, email=email),
    )
    found = tuple(problem for problem in checks if problem is not None)
    if found:
        raise InvalidSignup(found)
    return ValidSignup(
        username=normalize_username(username),
        username_key=username_key(username),
        email=normalize_email(email),
        email_key=email_key(email),
        password=normalize_password(password),
    )
