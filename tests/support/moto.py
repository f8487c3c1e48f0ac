"""The function on moto: its settings, a users table, and its handler, all in one block."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_string, policy
from email.message import EmailMessage
from typing import Any, Final

import boto3
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from backend.config import Settings
from backend.handler import LambdaHandler, create_handler
from backend.mail_worker import WorkerHandler, create_worker
from contract.limits import RateLimit
from contract.table_keys import OUTBOX_PREFIX
from infra.local.dynamodb_local import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY
from infra.local.lambda_context import LocalLambdaContext
from infra.local.table_setup import ensure_table
from tests.support.integrity import is_bookkeeping
from tests.support.mailbox import token_in
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


MAIL_DOMAIN: Final = "signup.example.test"
WEB_URL: Final = "https://signup.example.test"


# Limits far above what any test sends, except the tests of the limits (which
# set their own): suites send hundreds of requests from one address.
ROOMY_LIMIT: Final = RateLimit(100_000, 60)


def function_settings(**overrides: Any) -> Settings:
    """The function's settings for tests: moto's table and SES, the test pepper, bcrypt cost 4."""
    base = Settings(
        table_name=TABLE,
        pepper_value=PEPPER,
        bcrypt_cost=4,
        web_url=WEB_URL,
        mail_from=f"Signup Test <no-reply@{MAIL_DOMAIN}>",
        mail_configuration_set="signup-test",
        rate_limit_per_address=ROOMY_LIMIT,
        rate_limit_per_identifier=ROOMY_LIMIT,
        rate_limit_per_identifier_global=ROOMY_LIMIT,
        rate_limit_mails_per_address=ROOMY_LIMIT,
    )
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
    # The mail worker over the same table (the test settings' by default).
    worker: WorkerHandler = dataclasses.field(
        default_factory=lambda: create_worker(function_settings)
    )

    def invoke(self, event: dict[str, Any]) -> Reply:
        """Call the handler with `event` and decode its answer."""
        response = self.handler(event, lambda_context())
        assert set(response) <= {"statusCode", "headers", "body", "isBase64Encoded", "cookies"}
        text = response["body"]
        body = json.loads(text) if text else {}  # a 204 has no body
        return Reply(response["statusCode"], response["headers"], body, text)

    def user_keys(self) -> list[str]:
        """The partition key of every user item (see `items`), sorted."""
        return sorted(item["pk"]["S"] for item in self.items())

    def items(self) -> list[dict[str, Any]]:
        """Every item that holds people's data: users, claims, links (no counters or records)."""
        return [item for item in self.all_items() if not is_bookkeeping(item["pk"]["S"])]

    def all_items(self) -> list[dict[str, Any]]:
        """Every item in the users table, rate-limit counters and idempotency records too."""
        pages = self.dynamodb.get_paginator("scan").paginate(TableName=TABLE, ConsistentRead=True)
        return [item for page in pages for item in page["Items"]]

    def outbox(self) -> list[dict[str, Any]]:
        """The outbox items the mail worker has yet to act on."""
        return [item for item in self.all_items() if item["pk"]["S"].startswith(OUTBOX_PREFIX)]

    def deliver(self) -> list[str]:
        """Feed every outbox item to the mail worker as its stream records, as often as the
        worker queues new ones (a decided resend); the records it failed, by sequence number."""
        failed: list[str] = []
        for _ in range(3):
            # In the order the sign-ups were made, as the stream would deliver them.
            pending = sorted(self.outbox(), key=lambda i: i.get("signedUpAt", {}).get("S", ""))
            if not pending:
                break
            records = [stream_record(item, sequence) for sequence, item in enumerate(pending)]
            answer = self.worker({"Records": records}, lambda_context())
            failed = [failure["itemIdentifier"] for failure in answer["batchItemFailures"]]
            if failed:
                break
        return failed

    def mails(self, to: str | None = None) -> list[EmailMessage]:
        """Every message handed to (moto's) SES, oldest first, after the worker has delivered
        what the outbox holds; only those to `to` if given."""
        self.deliver()
        sent = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
        messages = [
            message_from_string(str(m.raw_data), policy=policy.default)  # type: ignore[arg-type]
            for m in sent
        ]
        return [m for m in messages if to is None or m["To"] == to]

    def token(self, to: str) -> str:
        """The token of the newest verification link mailed to `to`."""
        links = [m for m in self.mails(to) if "verify?token=" in str(m.get_body())]
        return token_in(links[-1])  # type: ignore[arg-type]


def stream_record(item: dict[str, Any], sequence: int) -> dict[str, Any]:
    """The record Lambda hands the mail worker for the INSERT of `item` (NEW_IMAGE)."""
    return {
        "eventID": f"event-{sequence}",
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": REGION,
        "dynamodb": {
            "Keys": {"pk": item["pk"]},
            "NewImage": item,
            "SequenceNumber": f"{sequence:021d}",
            "SizeBytes": 100,
            "StreamViewType": "NEW_IMAGE",
        },
        "eventSourceARN": f"arn:aws:dynamodb:{REGION}:{DEFAULT_ACCOUNT_ID}:table/{TABLE}/stream/x",
    }


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
        ensure_table(client, TABLE, stream=False)
        ses = boto3.client("sesv2", region_name=REGION)
        ses.create_email_identity(EmailIdentity=MAIL_DOMAIN)
        ses.create_configuration_set(ConfigurationSetName="signup-test")
        yield MotoFunction(create_handler(lambda: chosen), client, create_worker(lambda: chosen))
