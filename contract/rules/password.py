"""Password rules after NIST SP 800-63B-4: length, a blocklist, no composition rules."""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from typing import Final

from contract import codes
from contract.rules.blocklist import is_common_password
from contract.rules.problems import FieldProblem

ABSOLUTE_MIN_LENGTH: Final = 8
# NIST SP 800-63B-4 asks for 15 where the password is the only factor.
DEFAULT_MIN_LENGTH: Final = 15
MAX_LENGTH: Final = 128
# An identifier shorter than this is too weak a signal: "ada" may appear by
# chance inside a long passphrase.
_MIN_IDENTIFIER: Final = 3
_SIMILARITY_RATIO: Final = 0.8


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """A stage's password policy; lengths count Unicode characters after NFKC."""

    min_length: int = DEFAULT_MIN_LENGTH
    max_length: int = MAX_LENGTH

    def __post_init__(self) -> None:
        if not ABSOLUTE_MIN_LENGTH <= self.min_length <= self.max_length <= MAX_LENGTH:
            raise ValueError(
                f"password lengths must satisfy {ABSOLUTE_MIN_LENGTH} <= min <= max <= {MAX_LENGTH}"
            )


def normalize_password(raw: str) -> str:
    """NFKC, so a password typed on another keyboard or OS still matches."""
    return unicodedata.normalize("NFKC", raw)


def _is_too_similar(password: str, identifiers: list[str]) -> bool:
    folded = password.casefold()
    for identifier in identifiers:
        if len(identifier) < _MIN_IDENTIFIER:
            continue
        remainder = folded.replace(identifier, "")
        # Mostly the identifier ("adalovelace1815"), part of it, or a near copy.
        if len(remainder) * 2 < len(folded) or folded in identifier:
            return True
        if difflib.SequenceMatcher(None, folded, identifier).ratio() >= _SIMILARITY_RATIO:
            return True
    return False


def _identifiers(username: str, email: str) -> list[str]:
    username = unicodedata.normalize("NFKC", username).casefold()
    email = unicodedata.normalize("NFKC", email).casefold()
    local_part = email.rpartition("@")[0] if "@" in email else email
    return [username, local_part, email]


def password_problem(
    raw: str, *, policy: PasswordPolicy, username: str = "", email: str = ""
) -> FieldProblem | None:
    """The first rule `raw` breaks, or None; `username` and `email` as the user typed them."""
    password = normalize_password(raw)
    if not password:
        return FieldProblem("password", codes.PASSWORD_REQUIRED, "Choose a password.")
    if len(password) < policy.min_length:
        return FieldProblem(
            "password",
            codes.PASSWORD_TOO_SHORT,
            f"Use at least {policy.min_length} characters; a few unrelated words work well.",
        )
    if len(password) > policy.max_length:
        return FieldProblem(
            "password", codes.PASSWORD_TOO_LONG, f"Use at most {policy.max_length} characters."
        )
    if is_common_password(password):
        return FieldProblem(
            "password",
            codes.PASSWORD_COMMON,
            "This password is too common or predictable; choose something less guessable.",
        )
    if _is_too_similar(password, _identifiers(username, email)):
        return FieldProblem(
            "password",
            codes.PASSWORD_SIMILAR,
            "This password is too close to your username or email address.",
        )
    return None
