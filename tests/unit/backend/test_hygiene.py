"""The session-wide secret guard (tests/plugins/hygiene.py) sees each kind of leak it promises."""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path

import pytest

from backend.responses import problem
from contract.rules import FieldProblem
from tests.plugins.hygiene import assert_clean, register_secret, secret_kinds
from tests.support.secrets import PASSWORDS, PEPPER

pytestmark = pytest.mark.hardening


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        (f"oops {PASSWORDS[0]}", ["a test password"]),
        (f"pepper={PEPPER}", ["the pepper"]),
        ("hmac-sha384-bcrypt-v1$$2b$04$abc", ["a password hash"]),
        ("$2b$12$abcdef", ["a password hash"]),
        ("nothing to see", []),
    ],
)
def test_hygiene_names_the_kind_of_secret(text: str, kinds: list[str]) -> None:
    assert secret_kinds(text) == kinds


def test_hygiene_registered_secrets_are_found() -> None:
    register_secret("registered-secret-for-the-guard-test")
    assert secret_kinds("x registered-secret-for-the-guard-test y") == ["a test password"]
    with pytest.raises(AssertionError, match="a test password reached the log"):
        assert_clean(["registered-secret-for-the-guard-test"], "the log")


def test_hygiene_sees_a_library_exception_message(secret_hygiene: list[str]) -> None:
    # ipaddress (pure Python, outside tests/) puts the bad value in its message.
    with pytest.raises(ValueError, match="does not appear"):
        ipaddress.ip_address(PASSWORDS[1])
    assert any("ValueError raised in" in finding for finding in secret_hygiene)
    secret_hygiene.clear()


def test_hygiene_sees_a_log_record_extra_field(secret_hygiene: list[str]) -> None:
    # Structured loggers (Powertools) put fields in extras, not in the message.
    logging.getLogger("hygiene-test").warning("leaking", extra={"detail": PEPPER})
    assert any("the pepper reached a log record" in finding for finding in secret_hygiene)
    secret_hygiene.clear()


def test_hygiene_sees_a_backend_response(secret_hygiene: list[str]) -> None:
    problem(400, [FieldProblem("password", "x", PASSWORDS[2])], request_id="r")
    assert any("a response built by the backend" in finding for finding in secret_hygiene)
    secret_hygiene.clear()


def test_hygiene_ignores_the_test_code_own_assertions(secret_hygiene: list[str]) -> None:
    with pytest.raises(AssertionError):
        assert PASSWORDS[3] == "something else"
    assert secret_hygiene == []


def test_hygiene_fails_a_test_that_prints_a_secret(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        test_leak="""
        from tests.plugins.hygiene import register_secret

        # Known only to the inner session: the outer one sees its output too.
        SECRET = "inner-session-password-0001"
        register_secret(SECRET)

        def test_prints() -> None:
            print("password:", SECRET)

        def test_clean() -> None:
            print("nothing secret")
        """
    )
    root = Path(__file__).resolve().parents[3]
    monkeypatch.setenv("PYTHONPATH", str(root))
    result = pytester.runpytest_subprocess("-p", "tests.plugins.hygiene", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*a test password reached the captured 'Captured stdout call'*"])
