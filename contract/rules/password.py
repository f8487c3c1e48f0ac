"""Password rules after NIST SP 800-63B-4: length, a blocklist, a strength floor, no composition
rules. The page's strength meter and the API's floor share `strength_score` (zxcvbn)."""

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
# zxcvbn's scores run 0 (too guessable) to 4 (very unguessable); below the
# floor a password is refused as weak. 3 is zxcvbn's "safely unguessable".
MIN_SCORE: Final = 0
MAX_SCORE: Final = 4
DEFAULT_MIN_SCORE: Final = 3
# zxcvbn refuses longer input; its estimate has long saturated by then.
STRENGTH_MAX_CHARS: Final = 72


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """A stage's password policy; lengths count Unicode characters after NFKC."""

    min_length: int = DEFAULT_MIN_LENGTH
    max_length: int = MAX_LENGTH
    min_score: int = DEFAULT_MIN_SCORE

    def __post_init__(self) -> None:
        if not ABSOLUTE_MIN_LENGTH <= self.min_length <= self.max_length <= MAX_LENGTH:
            raise ValueError(
                f"password lengths must satisfy {ABSOLUTE_MIN_LENGTH} <= min <= max <= {MAX_LENGTH}"
            )
        if not MIN_SCORE <= self.min_score <= MAX_SCORE:
            raise ValueError(f"the strength floor must be between {MIN_SCORE} and {MAX_SCORE}")


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


def strength_score(password: str, *, username: str = "", email: str = "") -> int:
    """zxcvbn's score (0-4) of `password`, judged against the username and address typed."""
    # Imported on first use: zxcvbn loads its frequency lists on import, which
    # a cold start that never checks a password (verify, resend) need not pay.
    from zxcvbn import zxcvbn  # noqa: PLC0415

    inputs = [text for text in (username, email) if text]
    result = zxcvbn(normalize_password(password)[:STRENGTH_MAX_CHARS], user_inputs=inputs)
    return int(result["score"])


def password_problem(  # noqa: PLR0911 - one answer per rule, in the order they are judged
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
    if strength_score(password, username=username, email=email) < policy.min_score:
        return FieldProblem(
            "password",
            codes.PASSWORD_WEAK,
            "This password is too easy to guess; add a few unrelated words.",
        )
    return None
