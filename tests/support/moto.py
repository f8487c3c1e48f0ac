"""The function on moto: its settings, a users table, and its handler, all in one block."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

import boto3
import pytest
from moto import mock_aws

from backend.config import Settings
from backend.handler import LambdaHandler, create_handler
from infra.local.dynamodb_local import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY
from infra.local.lambda_context import LocalLambdaContext
from infra.local.table import ensure_table
from tests.support.secrets import PEPPER

TABLE: Final = "users-test"
REGION: Final = "eu-west-1"
# moto needs credentials in the environment before any client is built; fake
# ones also keep a developer's real ones out of the tests.
MOTO_ENVIRONMENT: Final = {
    "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY_ID,
    "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_ACCESS_KEY,
    # A session token too: the secret guard proves it never reaches a log.
    "AWS_SESSION_TOKEN": "moto-session-token-never-logged",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


def function_settings(**overrides: Any) -> Settings:
    """The function's settings for tests: the moto table, the test pepper, bcrypt cost 4."""
    base = Settings(table_name=TABLE, pepper_value=PEPPER, bcrypt_cost=4)
    return dataclasses.replace(base, **overrides)


def lambda_context(timeout_seconds: float = 15) -> LocalLambdaContext:
    """A fresh invocation context, the same stand-in the local stage passes."""
    return LocalLambdaContext(
        function_name="signup-test", region=REGION, timeout_seconds=timeout_seconds
    )


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


@dataclass
class MotoFunction:
    """The real handler over a moto users table."""

    handler: LambdaHandler
    dynamodb: Any

    def invoke(self, event: dict[str, Any]) -> Reply:
        """Call the handler with `event` and decode its answer."""
        response = self.handler(event, lambda_context())
        assert set(response) <= {"statusCode", "headers", "body", "isBase64Encoded", "cookies"}
        text = response["body"]
        return Reply(response["statusCode"], response["headers"], json.loads(text), text)

    def keys(self) -> list[str]:
        """Every partition key in the users table, sorted."""
        return sorted(item["pk"]["S"] for item in self.items())

    def items(self) -> list[dict[str, Any]]:
        """Every item in the users table."""
        return list(self.dynamodb.scan(TableName=TABLE, ConsistentRead=True)["Items"])


@contextmanager
def function_on_moto(
    patch: pytest.MonkeyPatch, settings: Settings | None = None
) -> Iterator[MotoFunction]:
    """A moto account with the users table and a fresh handler given `settings`."""
    for name, value in MOTO_ENVIRONMENT.items():
        patch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        patch.delenv(name, raising=False)
    chosen = settings or function_settings()
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        ensure_table(client, TABLE)
        yield MotoFunction(create_handler(lambda: chosen), client)
