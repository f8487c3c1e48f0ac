"""Username rules, table-driven."""

from __future__ import annotations

import pytest

from contract.rules import normalize_username, username_key, username_problem


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "username_required"),
        ("ab", "username_too_short"),
        ("a" * 33, "username_too_long"),
        ("_ada", "username_invalid"),
        (".ada", "username_invalid"),
        ("ada lovelace", "username_invalid"),
        ("ada@home", "username_invalid"),
        ("ada\u200blovelace", "username_invalid"),  # zero-width space
        ("ada\u202elovelace", "username_invalid"),  # right-to-left override
        ("аda", "username_invalid"),  # Cyrillic а: a confusable, not ASCII
        ("zoë", "username_invalid"),
        ("ada\x00x", "username_invalid"),
        ("admin", "username_reserved"),
        ("ADMIN", "username_reserved"),
        ("Ad.min", "username_reserved"),
        ("no_reply", "username_reserved"),
        ("ｒｏｏｔ", "username_reserved"),  # fullwidth, NFKC to "root"
    ],
)
def test_username_problem_codes(raw: str, code: str) -> None:
    problem = username_problem(raw)
    assert problem is not None
    assert (problem.field, problem.code) == ("username", code)


@pytest.mark.parametrize("raw", ["ada", "Ada.Lovelace", "a-b_c.d", "1ada", "x" * 32, "Ａｄａ"])
def test_username_problem_accepts_valid(raw: str) -> None:
    assert username_problem(raw) is None


def test_username_normalize_keeps_display_case() -> None:
    assert normalize_username("Ａｄａ") == "Ada"


@pytest.mark.parametrize("variant", ["Ada", "ADA", "ada", "Ａｄａ", "ａＤａ"])
def test_username_key_folds_case_and_width(variant: str) -> None:
    assert username_key(variant) == "ada"


def test_username_length_counts_after_nfkc() -> None:
    # U+FB03 "ﬃ" is one character that NFKC turns into three.
    assert username_problem("\ufb03") is None
