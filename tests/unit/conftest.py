"""Fixtures for the backend's unit and handler tests: moto, events, and a secret-hygiene guard."""

from __future__ import annotations

import base64
import copy
import json
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from backend import handler as handler_module
from infra.local.dynamodb_local import ensure_table
from infra.local.lambda_context import LocalLambdaContext

EVENTS = Path(__file__).parent.parent / "events"
TABLE = "users-test"
PEPPER = "unit-test-pepper-0123456789abcdef0123456789abcdef"
# Every password a handler test sends; the hygiene guard looks for each one.
PASSWORDS = (
    "analytical engine notes 1843",
    "cobol bugs and moths 1947",
    "correct horse battery staple",
    "ocean violet lantern mosaic",
    "🦄🌈🍕🚀🎸🐙🌵🍩🛸🎲" * 12 + "🦄🌈🍕🚀🎸🐙🌵🍩",
)
_HASH = re.compile(r"\$2[aby]\$\d\d\$|hmac-sha384-bcrypt")


def load_event(name: str = "create_user") -> dict[str, Any]:
    """A sample API Gateway payload-2.0 event from tests/events."""
    event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text("utf-8"))
    return event


def make_event(
    body: object = None,
    *,
    raw: str | None = None,
    headers: dict[str, str] | None = None,
    method: str = "POST",
    path: str = "/createUser",
    base64_encoded: bool = False,
) -> dict[str, Any]:
    """The sample event with another body (a dict is JSON-encoded), headers, method or path."""
    event = copy.deepcopy(load_event())
    text = raw if raw is not None else ("" if body is None else json.dumps(body))
    event["body"] = base64.b64encode(text.encode()).decode() if base64_encoded else text
    event["isBase64Encoded"] = base64_encoded
    if headers is not None:
        event["headers"] = headers
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    event["routeKey"] = event["requestContext"]["routeKey"] = f"{method} {path}"
    return event


def signup(
    username: str = "AdaLovelace", email: str = "ada@example.com", **extra: object
) -> dict[str, object]:
    """A valid sign-up body, with fields overridden or added."""
    return {"username": username, "email": email, "password": PASSWORDS[0], **extra}


def lambda_context() -> LocalLambdaContext:
    """A fresh invocation context, the same stand-in the local stage passes."""
    return LocalLambdaContext(function_name="signup-test", region="eu-west-1", timeout_seconds=15)


@dataclass
class Reply:
    """A handler response, decoded."""

    status: int
    headers: dict[str, str]
    body: dict[str, Any]
    text: str

    @property
    def codes(self) -> list[str]:
        """The error codes of a problem response, in order."""
        return [error["code"] for error in self.body.get("errors", [])]


# The function's environment as infra/ sets it, with fake credentials for moto.
LAMBDA_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
    "TABLE_NAME": TABLE,
    "PASSWORD_PEPPER": PEPPER,
    "BCRYPT_COST": "4",
    "PASSWORD_MIN_LENGTH": "15",
}


@contextmanager
def handler_on_moto(patch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The handler's environment and a moto users table; its cached clients are rebuilt inside."""
    for name, value in LAMBDA_ENV.items():
        patch.setenv(name, value)
    for name in ("PEPPER_PARAMETER", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
        patch.delenv(name, raising=False)
    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-west-1")
        ensure_table(client, TABLE)  # the local stage's own table set-up
        handler_module.dependencies.cache_clear()
        try:
            yield client
        finally:
            handler_module.dependencies.cache_clear()


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A moto DynamoDB with the users table, for one test."""
    with handler_on_moto(monkeypatch) as client:
        yield client


def table_keys(client: Any) -> list[str]:
    """Every partition key in the users table, sorted."""
    items = client.scan(TableName=TABLE)["Items"]
    return sorted(item["pk"]["S"] for item in items)


@pytest.fixture
def invoke(dynamodb: Any) -> Callable[[dict[str, Any]], Reply]:
    """Call the real Lambda handler with an event and decode its answer."""

    def call(event: dict[str, Any]) -> Reply:
        response = handler_module.handler(event, lambda_context())
        assert set(response) <= {"statusCode", "headers", "body", "isBase64Encoded", "cookies"}
        text = response["body"]
        return Reply(response["statusCode"], response["headers"], json.loads(text), text)

    return call


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self._seen: set[int] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if id(record) in self._seen:  # attached to a logger and to its parent
            return
        self._seen.add(id(record))
        handlers = logging.getLogger("signup").handlers
        formatter = handlers[0].formatter if handlers else None
        self.lines.append((formatter or logging.Formatter()).format(record))


@pytest.fixture(autouse=True)
def no_secret_in_logs(capfd: pytest.CaptureFixture[str]) -> Iterator[list[str]]:
    """Fail any test whose log records, stdout or stderr hold a password, the pepper or a hash."""
    recorder = _Recorder()
    loggers = [logging.getLogger(), logging.getLogger("signup")]
    for logger in loggers:
        logger.addHandler(recorder)
    yield recorder.lines
    for logger in loggers:
        logger.removeHandler(recorder)
    out, err = capfd.readouterr()
    assert_no_secrets([*recorder.lines, out, err])


def assert_no_secrets(texts: list[str]) -> None:
    """Fail when any text holds the pepper, a password hash or a test password."""
    for text in texts:
        assert PEPPER not in text, "the pepper reached the logs"
        assert not _HASH.search(text), "a password hash reached the logs"
        for password in PASSWORDS:
            assert password not in text, "a password reached the logs"
