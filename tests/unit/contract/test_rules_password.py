"""Password rules: length in characters after NFKC, the blocklist, similarity."""

from __future__ import annotations

import pytest

from contract.rules import PasswordPolicy, password_problem, strength_score

POLICY = PasswordPolicy()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "password_required"),
        ("a" * 14, "password_too_short"),
        ("correct horse", "password_too_short"),
        ("x" * 129, "password_too_long"),
        ("🦄" * 129, "password_too_long"),
        ("a" * 20, "password_common"),  # repetitive
        (" " * 20, "password_common"),  # only spaces
        ("1234567890123456", "password_common"),  # sequential
        ("abcdefghijklmnopq", "password_common"),
        ("ZYXWVUTSRQPONMLKJ", "password_common"),
        ("adalovelace1815!", "password_similar"),  # username plus a little
        ("ADALOVELACE-2026", "password_similar"),
        ("ada.lovelace@example.com", "password_similar"),  # the email itself
        ("ada.lovelace.example", "password_similar"),
    ],
)
def test_password_problem_codes(raw: str, code: str) -> None:
    problem = password_problem(
        raw, policy=POLICY, username="AdaLovelace", email="ada.lovelace@example.com"
    )
    assert problem is not None
    assert (problem.field, problem.code) == ("password", code)


@pytest.mark.parametrize("listed", ["password", "iloveyou", "qwertyuiop", "PassWord", "FOOTBALL"])
def test_password_common_list_is_case_insensitive(listed: str) -> None:
    problem = password_problem(listed, policy=PasswordPolicy(min_length=8))
    assert problem is not None
    assert problem.code == "password_common"


@pytest.mark.parametrize(
    "raw",
    [
        "correct horse battery staple",
        "canada is a great country",  # contains "ada" by chance: not similar
        "🦄🌈🍕🚀🎸🐙🌵🍩" * 16,  # 128 emoji, 512 UTF-8 bytes
        "Ünïcödé pässwörd wörks fïne",
        "x" + "y" * 5 + "correct horse",
    ],
)
def test_password_problem_accepts_valid(raw: str) -> None:
    assert password_problem(raw, policy=POLICY, username="ada", email="ada@example.com") is None


def test_password_length_counts_characters_not_bytes() -> None:
    fifteen_emoji = "🦄🌈🍕🚀🎸🐙🌵🍩🛸🎲🦊🍉🎹🌋🧭"
    assert len(fifteen_emoji.encode()) == 60
    assert password_problem(fifteen_emoji, policy=POLICY) is None
    assert password_problem(fifteen_emoji[:14], policy=POLICY) is not None


def test_password_minimum_is_configurable_down_to_eight() -> None:
    assert password_problem("tr0ub4dor&3x", policy=PasswordPolicy(min_length=8)) is None
    with pytest.raises(ValueError, match="min"):
        PasswordPolicy(min_length=7)
    with pytest.raises(ValueError, match="max"):
        PasswordPolicy(min_length=129)


def test_password_is_never_truncated() -> None:
    # 128 characters pass; the 129th is refused rather than silently cut off.
    assert password_problem("correct horse " * 9 + "ab", policy=POLICY) is None
    assert password_problem("correct horse " * 9 + "abc", policy=POLICY) is not None


@pytest.mark.parametrize("raw", ["passwordpassword1", "qwertyuiopasdfgh", "signupsignupsignup"])
def test_password_long_but_weak_is_refused_as_weak(raw: str) -> None:
    problem = password_problem(raw, policy=POLICY)
    assert problem is not None
    assert (problem.field, problem.code) == ("password", "password_weak")


def test_password_strength_floor_is_the_stages() -> None:
    assert password_problem("passwordpassword1", policy=PasswordPolicy(min_score=1)) is None
    with pytest.raises(ValueError, match="strength"):
        PasswordPolicy(min_score=5)


def test_password_strength_score_is_the_meters_rule() -> None:
    # One rule for the page's meter and the API: zxcvbn on the first 72 characters.
    assert strength_score("signupsignupsignup") == 1
    assert strength_score("correct horse battery staple " * 5) == 4
    assert strength_score("ada.lovelace.1815", username="ada.lovelace") < 3
