"""The bodies of POST /signIn, /refreshSession and /signOut, and how a login finds its claim."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from email_validator import EmailNotValidError

from contract.rules.email import email_key
from contract.rules.problems import InvalidFields, presence_problem, unknown_fields
from contract.rules.username import username_key

SIGN_IN_FIELDS: Final = ("login", "password")
REFRESH_FIELDS: Final = ("refreshToken",)
# Longer than any address (254) or username (32) the sign-up accepts: such a
# login cannot exist, but it is still answered like any unknown one.
MAX_LOGIN_LENGTH: Final = 320
EMAIL: Final = "email"
USERNAME: Final = "username"


@dataclass(frozen=True, slots=True)
class SignInRequest:
    """A sign-in's login, folded as the sign-up folds it, and the password as typed."""

    # ("email" | "username", the claim's key), or None when the login cannot
    # be anyone's (it is still answered, and timed, as an unknown one).
    claim: tuple[str, str] | None
    password: str = field(repr=False)


def login_claim(login: str) -> tuple[str, str] | None:
    """Which claim a login names: an address when it has an `@` (usernames never do)."""
    text = login.strip()
    if not text or len(text) > MAX_LOGIN_LENGTH:
        return None
    if "@" not in text:
        return (USERNAME, username_key(text))
    try:
        return (EMAIL, email_key(text))
    except EmailNotValidError:
        return None


def _checked(payload: Mapping[str, object], accepted: tuple[str, ...]) -> None:
    problems = unknown_fields(payload, accepted)
    problems += [p for name in accepted if (p := presence_problem(name, payload)) is not None]
    if problems:
        raise InvalidFields(tuple(problems))


def validate_sign_in(payload: Mapping[str, object]) -> SignInRequest:
    """The login and password, or InvalidFields (missing, unknown or non-string fields only:
    no password rule is applied, so a sign-in never tells which rules a password breaks)."""
    _checked(payload, SIGN_IN_FIELDS)
    return SignInRequest(login_claim(str(payload["login"])), str(payload["password"]))


def validate_refresh_request(payload: Mapping[str, object]) -> str:
    """The refresh token of a refresh or sign-out, or InvalidFields."""
    _checked(payload, REFRESH_FIELDS)
    return str(payload["refreshToken"])
