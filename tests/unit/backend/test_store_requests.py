"""What the store sends DynamoDB, checked where moto is more lenient than DynamoDB itself."""

from __future__ import annotations

from typing import Any

import boto3

from backend.handler import create_handler
from backend.store.items import TOKEN_GRACE_SECONDS
from contract.routes import RESEND_VERIFICATION, VERIFY_EMAIL
from tests.support.events import api_event
from tests.support.moto import REGION, MotoFunction, function_settings
from tests.support.secrets import PASSWORDS
from tests.support.users import signup


def test_store_never_sends_an_empty_expression_map(function: MotoFunction) -> None:
    # DynamoDB refuses `ExpressionAttributeNames: {}` (a ValidationException);
    # moto accepts it, so only DynamoDB Local caught it once. Checked here for
    # every transaction of a sign-up, a verification, a replacement and a resend.
    sent: list[list[dict[str, Any]]] = []

    def keep(params: dict[str, Any], **_: object) -> None:
        sent.append(params["TransactItems"])

    session = boto3.session.Session(region_name=REGION)
    session.events.register("provide-client-params.dynamodb.TransactWriteItems", keep)
    settings = function_settings()
    watched = MotoFunction(create_handler(lambda: settings, session=session), function.dynamodb)
    watched.invoke(api_event(signup()))
    token = watched.token("ada@example.com")
    assert (
        watched.invoke(
            api_event({"token": token, "password": PASSWORDS[0]}, path=VERIFY_EMAIL.path)
        ).status
        == 200
    )
    watched.invoke(api_event(signup(username="bob", email="bob@example.com")))
    watched.invoke(api_event(signup(username="bobby", email="bob@example.com")))
    watched.invoke(api_event({"email": "bob@example.com"}, path=RESEND_VERIFICATION.path))
    assert len(sent) >= 4
    for transaction in sent:
        for operation in transaction:
            (body,) = operation.values()
            for name in ("ExpressionAttributeNames", "ExpressionAttributeValues"):
                assert body.get(name) != {}, f"empty {name} in {operation}"


def test_store_keeps_links_past_their_validity() -> None:
    # An expired link answers 410 token_expired, not 400 token_invalid, for a week.
    assert TOKEN_GRACE_SECONDS >= 24 * 3600
