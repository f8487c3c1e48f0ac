"""Properties of the sign-up rules, checked with hypothesis.

- normalisation is idempotent (username, email, password);
- the uniqueness key of a username or email does not change under case and
  NFKC (compatibility) variants;
- every password the rules accept hashes and verifies (and only it verifies);
- the rules answer any input with problems, never with another exception.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from backend.hashing import PasswordHasher
from contract.rules import (
    InvalidSignup,
    PasswordPolicy,
    email_key,
    email_problem,
    normalize_email,
    normalize_password,
    normalize_username,
    password_problem,
    username_key,
    username_problem,
    validate_signup,
)
from tests.support.secrets import PEPPER

pytestmark = pytest.mark.hardening

# Modest and reproducible: the suite stays fast and a failure reproduces.
FAST = settings(max_examples=200, deadline=None, derandomize=True)
HASHING = settings(
    max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
FORMS = ("NFC", "NFD", "NFKC", "NFKD")
HASHER = PasswordHasher(PEPPER.encode(), cost=4)
POLICY = PasswordPolicy()

valid_usernames = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{2,31}", fullmatch=True).filter(
    lambda name: username_problem(name) is None
)
ascii_letters = st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789")
valid_emails = (
    st.builds(
        lambda local, domain, tld: f"{local}@{domain}.{tld}",
        st.text(ascii_letters, min_size=1, max_size=20),
        st.text(ascii_letters, min_size=1, max_size=20),
        st.sampled_from(["com", "org", "de", "io"]),
    )
    | st.emails()
)


def _fullwidth(char: str) -> str:
    """The fullwidth form of a printable ASCII character (NFKC maps it back)."""
    return chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char


@st.composite
def variants(draw: st.DrawFn, text: str) -> str:
    """`text` with each ASCII character upper- or lower-cased, or made fullwidth, at random."""
    choices = [[c, c.upper(), c.lower(), _fullwidth(c)] if c.isascii() else [c] for c in text]
    return "".join(draw(st.sampled_from(options)) for options in choices)


@FAST
@given(st.text())
def test_username_normalisation_is_idempotent(raw: str) -> None:
    once = normalize_username(raw)
    assert normalize_username(once) == once


@FAST
@given(st.text(max_size=200))
def test_password_normalisation_is_idempotent(raw: str) -> None:
    once = normalize_password(raw)
    assert normalize_password(once) == once


@FAST
@given(valid_emails)
def test_email_normalisation_is_idempotent(raw: str) -> None:
    assume(email_problem(raw) is None)
    once = normalize_email(raw)
    assert email_problem(once) is None
    assert normalize_email(once) == once


@FAST
@given(st.data(), valid_usernames)
def test_username_key_is_stable_under_case_and_width(data: st.DataObject, name: str) -> None:
    variant = data.draw(variants(name))
    assert username_problem(variant) is None
    assert username_key(variant) == username_key(name)


@FAST
@given(st.text(), st.sampled_from(FORMS))
def test_username_key_is_stable_under_unicode_normal_forms(raw: str, form: str) -> None:
    assert username_key(unicodedata.normalize(form, raw)) == username_key(raw)


@FAST
@given(st.data(), valid_emails)
def test_email_key_is_stable_under_case_and_width(data: st.DataObject, address: str) -> None:
    assume(email_problem(address) is None)
    variant = data.draw(variants(address))
    assert email_problem(variant) is None
    assert email_key(variant) == email_key(address)


@HASHING
@given(st.text(min_size=POLICY.min_length, max_size=POLICY.max_length))
def test_every_accepted_password_hashes_and_verifies(password: str) -> None:
    assume(password_problem(password, policy=POLICY, username="ada", email="a@b.de") is None)
    stored = HASHER.hash(password)
    assert HASHER.verify(password, stored)
    # The same password typed in another normal form (another keyboard or OS) still matches.
    assert HASHER.verify(unicodedata.normalize("NFKD", password), stored)
    assert not HASHER.verify(password + "!", stored)
    assert password not in stored


@FAST
@given(st.dictionaries(st.sampled_from(["username", "email", "password", "x"]), st.text()))
def test_rules_answer_any_text_with_problems_only(payload: dict[str, str]) -> None:
    try:
        validate_signup(payload, policy=POLICY)
    except InvalidSignup as exc:
        assert exc.problems
        assert all(problem.code and problem.message for problem in exc.problems)
