"""The bodies of POST /forgotPassword, POST /resetPassword and DELETE /me."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from contract import codes
from contract.rules.link_requests import (
    ValidAddress,
    ValidConfirmation,
    validate_resend_request,
    validate_token_request,
)
from contract.rules.problems import FieldProblem, InvalidFields, presence_problem, unknown_fields

DELETE_FIELDS: Final = ("password",)


def validate_forgot_request(payload: Mapping[str, object]) -> ValidAddress:
    """The address a reset link is asked for (the body of a resend), or InvalidFields."""
    return validate_resend_request(payload)


def validate_reset_request(payload: Mapping[str, object]) -> ValidConfirmation:
    """The link's token and the new password, or InvalidFields.

    Only the shapes here: the password's rules need the account's username
    and address (`password_similar`), so they are applied once the link is known.
    """
    return validate_token_request(payload)


def validate_delete_request(payload: Mapping[str, object]) -> str:
    """The password that confirms a deletion, or InvalidFields."""
    problems = unknown_fields(payload, DELETE_FIELDS)
    problem = presence_problem("password", payload)
    if problem is None and not str(payload["password"]):
        problem = FieldProblem("password", codes.PASSWORD_REQUIRED, "Enter your password.")
    if problem is not None:
        problems.append(problem)
    if problems:
        raise InvalidFields(tuple(problems))
    return str(payload["password"])
