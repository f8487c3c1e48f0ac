"""The bodies of POST /verifyEmail and POST /resendVerification."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from contract import codes
from contract.rules.email import email_key, email_problem, normalize_email
from contract.rules.problems import FieldProblem, InvalidFields, presence_problem, unknown_fields
from contract.tokens import is_token_shaped

TOKEN_FIELDS: Final = ("token",)
RESEND_FIELDS: Final = ("email",)
TOKEN_INVALID: Final = FieldProblem(
    "token", codes.TOKEN_INVALID, "This link is not valid. Ask for a new one."
)


@dataclass(frozen=True, slots=True)
class ValidAddress:
    """An email address that passed the rules, in stored and key form."""

    email: str
    email_key: str


def validate_token_request(payload: Mapping[str, object]) -> str:
    """The token of a verification request, or InvalidFields (malformed: `token_invalid`)."""
    problems = unknown_fields(payload, TOKEN_FIELDS)
    problem = presence_problem("token", payload)
    if problem is None and not is_token_shaped(str(payload["token"])):
        problem = TOKEN_INVALID
    if problem is not None:
        problems.append(problem)
    if problems:
        raise InvalidFields(tuple(problems))
    return str(payload["token"])


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
