"""Username rules: NFKC, 3-32 ASCII letters, digits, `.`, `_`, `-`, a reserved list."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from contract import codes
from contract.rules.problems import FieldProblem

MIN_LENGTH: Final = 3
MAX_LENGTH: Final = 32
_ALLOWED: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*", re.ASCII)
_SEPARATORS: Final = re.compile(r"[._-]")

# Names a user could use to impersonate the service or its operators. Compared
# case-folded and without separators, so "Ad.min" and "no_reply" are caught too.
RESERVED: Final = frozenset(
    {
        "abuse", "admin", "administrator", "api", "billing", "help", "hostmaster",
        "info", "mail", "moderator", "noreply", "null", "operator", "owner",
        "postmaster", "root", "security", "staff", "support", "superuser", "sysadmin",
        "system", "undefined", "webmaster", "www",
    }
)  # fmt: skip


def normalize_username(raw: str) -> str:
    """The display form: NFKC, so fullwidth `Ａｄａ` becomes `Ada`."""
    return unicodedata.normalize("NFKC", raw)


def username_key(raw: str) -> str:
    """The uniqueness key: NFKC then case-folded, so `Ada`, `ADA` and `Ａｄａ` collide."""
    return normalize_username(raw).casefold()


def username_problem(raw: str) -> FieldProblem | None:
    """The first rule `raw` breaks, or None when it is a valid username."""
    name = normalize_username(raw)
    if not name:
        return FieldProblem("username", codes.USERNAME_REQUIRED, "Choose a username.")
    if len(name) < MIN_LENGTH:
        return FieldProblem(
            "username", codes.USERNAME_TOO_SHORT, f"Use at least {MIN_LENGTH} characters."
        )
    if len(name) > MAX_LENGTH:
        return FieldProblem(
            "username", codes.USERNAME_TOO_LONG, f"Use at most {MAX_LENGTH} characters."
        )
    if not _ALLOWED.fullmatch(name):
        return FieldProblem(
            "username",
            codes.USERNAME_INVALID,
            "Use letters, digits, '.', '_' or '-', starting with a letter or digit.",
        )
    if _SEPARATORS.sub("", name.casefold()) in RESERVED:
        return FieldProblem("username", codes.USERNAME_RESERVED, "This username is reserved.")
    return None
