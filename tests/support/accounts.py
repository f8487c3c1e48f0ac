"""Signed-in flows on moto: the function with a KMS signing key, and accounts stored directly.

Accounts are written straight into the table (the item shapes of
backend/store/items.py), so the sign-in tests do not depend on how a sign-up
is confirmed.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

import boto3
import pytest

from backend.config import Settings
from backend.handler import create_handler
from backend.hashing import PasswordHasher
from contract.routes import ME, REFRESH_SESSION, SIGN_IN, SIGN_OUT
from contract.signing import ES256, KEY_USAGE, SigningAlgorithm
from tests.support.events import api_event
from tests.support.moto import (
    REGION,
    TABLE,
    MotoFunction,
    Reply,
    function_on_moto,
    function_settings,
)
from tests.support.secrets import PEPPER

ISSUER: Final = "https://abc123.execute-api.eu-west-1.amazonaws.com"
AUDIENCE: Final = "signup-test"
PASSWORD: Final = "correct horse battery staple"
WRONG_PASSWORD: Final = "ocean violet lantern mosaic"


@dataclass(frozen=True)
class Account:
    """A stored user."""

    user_id: str
    username: str
    email: str


@dataclass
class SessionsOnMoto:
    """The function with a KMS key, its KMS client, and helpers to call the session routes."""

    function: MotoFunction
    kms: Any
    key_id: str

    def add_account(
        self,
        username: str = "AdaLovelace",
        email: str = "ada@example.com",
        *,
        verified: bool = True,
        cost: int = 4,
        password: str = PASSWORD,
    ) -> Account:
        """Store a user and its two claims as a sign-up (and its confirmation) would have."""
        account, stored = account_items(
            username, email, pepper=PEPPER, verified=verified, cost=cost, password=password
        )
        for item in stored:
            self.function.dynamodb.put_item(TableName=TABLE, Item=item)
        return account

    def call(self, route: Any, body: object = None, **options: Any) -> Reply:
        """Send `body` to `route` (a contract Route)."""
        return self.function.invoke(
            api_event(body, method=route.method, path=route.path, **options)
        )

    def sign_in(self, login: str, password: str = PASSWORD, **options: Any) -> Reply:
        """POST /signIn."""
        return self.call(SIGN_IN, {"login": login, "password": password}, **options)

    def refresh(self, token: object) -> Reply:
        """POST /refreshSession."""
        return self.call(REFRESH_SESSION, {"refreshToken": token})

    def sign_out(self, token: object) -> Reply:
        """POST /signOut."""
        return self.call(SIGN_OUT, {"refreshToken": token})

    def me(self, claims: dict[str, Any] | None) -> Reply:
        """GET /me as API Gateway's JWT authorizer hands it over (claims verified upstream)."""
        event = api_event(method=ME.method, path=ME.path, headers={})
        if claims is not None:
            event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
        return self.function.invoke(event)


def account_items(
    username: str,
    email: str,
    *,
    pepper: str,
    verified: bool = True,
    cost: int = 4,
    password: str = PASSWORD,
) -> tuple[Account, list[dict[str, Any]]]:
    """The user's profile and its two claims, as a sign-up (and its confirmation) stores them."""
    user_id = str(uuid.uuid4())
    hashed = PasswordHasher(pepper.encode(), cost=cost).hash(password)
    pending = {} if verified else {"expiresAt": {"N": "9999999999"}}
    user = {
        "pk": {"S": f"USER#{user_id}"},
        "kind": {"S": "user"},
        "userId": {"S": user_id},
        "username": {"S": username},
        "usernameKey": {"S": username.casefold()},
        "email": {"S": email},
        "emailKey": {"S": email.casefold()},
        "passwordHash": {"S": hashed},
        "createdAt": {"S": "2026-01-02T03:04:05.678Z"},
        "status": {"S": "verified" if verified else "pending"},
        **({"verifiedAt": {"S": "2026-01-02T03:05:00.000Z"}} if verified else {}),
        **pending,
    }
    claims = [
        {"pk": {"S": f"USERNAME#{username.casefold()}"}, "userId": {"S": user_id}} | pending,
        {"pk": {"S": f"EMAIL#{email.casefold()}"}, "userId": {"S": user_id}} | pending,
    ]
    return Account(user_id, username, email), [user, *claims]


def token_claims(token: str) -> dict[str, Any]:
    """A JWT's claims, unverified (the verifying is the JOSE library's, in other tests)."""
    segment = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))))


def sessions_settings(key_id: str, **overrides: Any) -> Settings:
    """The function's test settings plus a signing key, issuer and audience."""
    base = function_settings(signing_key_id=key_id, token_issuer=ISSUER, token_audience=AUDIENCE)
    return dataclasses.replace(base, **overrides)


@contextmanager
def sessions_on_moto(
    patch: pytest.MonkeyPatch, algorithm: SigningAlgorithm = ES256, **overrides: Any
) -> Iterator[SessionsOnMoto]:
    """A moto account with the users table, a signing key (ECC_NIST_P256 unless `algorithm`
    says otherwise) and the handler using both."""
    with function_on_moto(patch) as base:
        kms = boto3.client("kms", region_name=REGION)
        key = kms.create_key(KeySpec=algorithm.key_spec, KeyUsage=KEY_USAGE)["KeyMetadata"]
        settings = sessions_settings(key["KeyId"], token_algorithm=algorithm, **overrides)
        function = MotoFunction(create_handler(lambda: settings), base.dynamodb)
        yield SessionsOnMoto(function, kms, key["KeyId"])
