"""The bodies of POST /verifyEmail (`{token, password}`) and POST /resendVerification."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from contract import codes
from contract.rules.email import email_key, email_problem, normalize_email
from contract.rules.problems import FieldProblem, InvalidFields, presence_problem, unknown_fields
from contract.tokens import is_token_shaped

# The link's token, and the password the sign-up chose: whoever confirms
# must have typed it, so a stranger's re-sign-up can never be confirmed by
# the address's owner following the link.
TOKEN_FIELDS: Final = ("token", "password")
RESEND_FIELDS: Final = ("email",)
TOKEN_INVALID: Final = FieldProblem(
    "token", codes.TOKEN_INVALID, "This link is not valid. Ask for a new one."
)


@dataclass(frozen=True, slots=True)
class ValidAddress:
    """An email address that passed the rules, in stored and key form."""

    email: str
    email_key: str


@dataclass(frozen=True, slots=True)
class ValidConfirmation:
    """A verification request: the link's token and the password typed with it."""

    token: str = field(repr=False)
    password: str = field(repr=False)


def validate_token_request(payload: Mapping[str, object]) -> ValidConfirmation:
    """The token and password of a verification request, or InvalidFields (every problem).

    A malformed token is `token_invalid`; the password is only checked for
    presence here (its rules were applied when it was chosen).
    """
    problems = unknown_fields(payload, TOKEN_FIELDS)
    token_problem = presence_problem("token", payload)
    if token_problem is None and not is_token_shaped(str(payload["token"])):
        token_problem = TOKEN_INVALID
    password_problem = presence_problem("password", payload)
    if password_problem is None and not str(payload["password"]):
        password_problem = FieldProblem("password", codes.PASSWORD_REQUIRED, "Enter your password.")
    problems += [p for p in (token_problem, password_problem) if p is not None]
    if problems:
        raise InvalidFields(tuple(problems))
    return ValidConfirmation(str(payload["token"]), str(payload["password"]))


def validate_resend_request(payload: Mapping[str, object]) -> ValidAddress:
    """The address a new link is asked for, or InvalidFields."""
    problems = unknown_fields(payload, RESEND_FIELDS)
    problem = presence_problem("email", payload) or email_problem(str(payload["email"]))
    if problem is not None:
        problems.append(problem)
    if problems:
        raise InvalidFields(tuple(problems))
    raw = str(payload["email"])
    return ValidAddress(email=normalize_email(raw), email_key=email_key(raw))
