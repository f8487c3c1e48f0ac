"""Email rules: email-validator's syntax and normalisation, no DNS."""

from __future__ import annotations

import pytest

from contract.rules import email_key, email_problem, normalize_email


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "email_required"),
        ("   ", "email_required"),
        ("ada", "email_invalid"),
        ("ada@", "email_invalid"),
        ("@example.com", "email_invalid"),
        ("ada@@example.com", "email_invalid"),
        ("ada@example..com", "email_invalid"),
        ('"ada lovelace"@example.com', "email_invalid"),  # quoted local parts are refused
        ("ada@localhost", "email_invalid"),
        ("ada@example.com\x00", "email_invalid"),
        ("a" * 65 + "@example.com", "email_invalid"),  # local part over 64
        ("ada@" + "a" * 250 + ".com", "email_invalid"),  # address over 254
        ("adä@example.com", "email_invalid"),  # SES cannot deliver a non-ASCII local part
        ("josé@example.com", "email_invalid"),
    ],
)
def test_email_problem_codes(raw: str, code: str) -> None:
    problem = email_problem(raw)
    assert problem is not None
    assert (problem.field, problem.code) == ("email", code)
    assert problem.message


@pytest.mark.parametrize(
    "raw",
    ["ada@example.com", "ada+signup@example.com", "Ada.Lovelace@Example.COM", "ada@bücher.de"],
)
def test_email_problem_accepts_valid(raw: str) -> None:
    assert email_problem(raw) is None


def test_email_normalize_lowercases_domain_and_keeps_tag() -> None:
    assert normalize_email("Ada+Signup@EXAMPLE.com") == "Ada+Signup@example.com"


@pytest.mark.parametrize(
    "variant", ["ada@example.com", "ADA@EXAMPLE.COM", "Ada@Example.com", "ａｄａ@example.com"]
)
def test_email_key_folds_case_and_width(variant: str) -> None:
    assert email_key(variant) == "ada@example.com"


def test_email_key_keeps_plus_tags_distinct() -> None:
    assert email_key("ada+a@example.com") != email_key("ada+b@example.com")


def test_email_idn_domain_is_normalised() -> None:
    assert email_key("ADA@BÜCHER.de") == email_key("ada@bücher.de")


def test_email_idn_domain_is_stored_and_keyed_as_punycode() -> None:
    assert normalize_email("Ada@Bücher.de") == "Ada@xn--bcher-kva.de"
    assert email_key("ada@xn--bcher-kva.de") == email_key("ADA@bücher.de")
