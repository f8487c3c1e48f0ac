"""No log level can make the AWS SDK log a password hash, the pepper or credentials.

The Lambda Python runtime sets the root logger to the function's application
log level (dev's is DEBUG) and gives it a handler. At DEBUG, botocore logs
request bodies (the TransactWriteItems with passwordHash), the SSM answer
(the decrypted pepper) and signed headers (the session token).
"""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from collections.abc import Iterator

import boto3
import pytest

from backend import aws
from tests.plugins.hygiene import register_secret, secret_kinds
from tests.support.events import api_event
from tests.support.moto import MOTO_ENVIRONMENT, MotoFunction, function_on_moto, function_settings
from tests.support.secrets import PASSWORDS
from tests.support.users import signup

PARAMETER = "/signup/test/pepper"
SSM_PEPPER = "ssm-pepper-never-logged-0123456789abcdefghijkl"
SESSION_TOKEN = MOTO_ENVIRONMENT["AWS_SESSION_TOKEN"]
register_secret(SSM_PEPPER, "the pepper")
register_secret(SESSION_TOKEN, "the session token")


@pytest.fixture
def runtime_logging() -> Iterator[io.StringIO]:
    """The root logger as the Lambda runtime sets it at DEBUG: level and a handler."""
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def sign_up_with_pepper_from_ssm(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = function_settings(pepper_value=None, pepper_parameter=PARAMETER)
    with function_on_moto(monkeypatch, settings) as function:
        boto3.client("ssm").put_parameter(Name=PARAMETER, Value=SSM_PEPPER, Type="SecureString")
        assert_signs_up(function)


def assert_signs_up(function: MotoFunction) -> None:
    reply = function.invoke(api_event(signup(password=PASSWORDS[2])))
    assert reply.status == 200, reply.text


def test_sdk_logs_no_secret_with_the_root_logger_at_debug(
    runtime_logging: io.StringIO, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    sign_up_with_pepper_from_ssm(monkeypatch)
    out, err = capfd.readouterr()
    output = runtime_logging.getvalue() + out + err
    assert secret_kinds(output) == []
    # The SDK's loggers hold their own level, whatever the root logger's.
    for name in aws.SDK_LOGGERS:
        assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING


def test_sdk_logging_check_would_see_the_leak() -> None:
    # Without the pinned levels the same request leaks, so the test above can
    # fail. Shown in a child process (a container of its own), whose output the
    # session's secret guard never sees.
    program = (
        "import logging, pytest\n"
        "from backend import aws\n"
        "aws.quiet_sdk_loggers = lambda: None\n"
        "from tests.unit.backend import test_sdk_logging as t\n"
        "logging.basicConfig(level=logging.DEBUG)\n"
        "with pytest.MonkeyPatch.context() as patch:\n"
        "    t.sign_up_with_pepper_from_ssm(patch)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=120
    )
    leaked = set(secret_kinds(done.stdout + done.stderr))
    assert {"the pepper", "a password hash", "the session token"} <= leaked
