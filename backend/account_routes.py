"""The routes of resetting a password and deleting an account: what each reads and answers.

Like the session routes they skip idempotency records: a reset link works
once anyway, and a deletion's second try finds nobody to delete.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from backend.account_deletion import delete_account
from backend.client_address import client_address
from backend.config import ConfigurationError
from backend.password_reset import reset_password
from backend.request import read_json_object
from backend.session_routes import SessionAnswer
from backend.sessions import Sessions
from backend.sign_up import Registration
from backend.store.accounts import DynamoDBAccountStore
from contract.environment import SIGNING_KEY_ID
from contract.metrics import ACCOUNT_ITEMS_LEFT_BEHIND
from contract.routes import DELETE_ME, RESET_PASSWORD, Route

ACCOUNT_ROUTES: Final = frozenset({RESET_PASSWORD, DELETE_ME})


def serve_account_route(
    route: Route,
    event: Mapping[str, Any],
    *,
    registration: Registration,
    accounts: DynamoDBAccountStore | None,
    sessions: Sessions | None,
    web_secret: bytes | None,
) -> SessionAnswer:
    """Serve one of ACCOUNT_ROUTES."""
    if accounts is None:
        raise ConfigurationError("no account store: the handler builds one for every stage")
    payload = read_json_object(event)
    if route == RESET_PASSWORD:
        reset_password(payload, registration, accounts)
        return SessionAnswer(204, {}, ("PasswordReset",), {})
    if sessions is None:
        raise ConfigurationError(f"{SIGNING_KEY_ID} is not set: this stage signs nobody in")
    # Verified before the function runs, as for GET /me (backend/session_routes.py).
    authorizer = event.get("requestContext", {}).get("authorizer") or {}
    claims = (authorizer.get("jwt") or {}).get("claims")
    client = client_address(event, web_secret=web_secret)
    whole = delete_account(claims, payload, sessions=sessions, accounts=accounts, client=client)
    return SessionAnswer(
        204, {}, ("AccountDeleted",) + (() if whole else (ACCOUNT_ITEMS_LEFT_BEHIND,)), {}
    )
