"""The routes of signing in and sessions: what each reads from the request and answers.

They skip the sign-up routes' idempotency records on purpose: a replayed
answer would have to be stored, and these answers hold tokens.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, NamedTuple

from backend.client_address import client_address
from backend.config import ConfigurationError
from backend.request import read_json_object
from backend.sessions import Sessions, current_user, refresh_session, sign_out
from backend.sign_in import sign_in
from contract.environment import SIGNING_KEY_ID
from contract.routes import (
    JWKS,
    ME,
    OPENID_CONFIGURATION,
    REFRESH_SESSION,
    SIGN_IN,
    SIGN_OUT,
    Route,
)

# The keys change only by a deliberate rotation, which keeps the old key
# published for longer than this (SECURITY.md), so verifiers may cache a day.
PUBLIC_CACHE: Final = {"cache-control": "public, max-age=86400"}


class SessionAnswer(NamedTuple):
    """Status, JSON body, metrics and extra headers of one answer."""

    status: int
    body: Mapping[str, Any]
    metrics: tuple[str, ...]
    headers: Mapping[str, str]


def _sign_in(
    event: Mapping[str, Any], sessions: Sessions, web_secret: bytes | None
) -> SessionAnswer:
    # The failure limits count the same client the address limit counts.
    client = client_address(event, web_secret=web_secret)
    pair = sign_in(read_json_object(event), sessions, client=client)
    return SessionAnswer(200, pair.to_json(), ("SignInSucceeded",), {})


def _refresh(event: Mapping[str, Any], sessions: Sessions, _: bytes | None) -> SessionAnswer:
    pair = refresh_session(read_json_object(event), sessions)
    return SessionAnswer(200, pair.to_json(), ("SessionRefreshed",), {})


def _sign_out(event: Mapping[str, Any], sessions: Sessions, _: bytes | None) -> SessionAnswer:
    sign_out(read_json_object(event), sessions)
    return SessionAnswer(204, {}, ("SignedOut",), {})


def _me(event: Mapping[str, Any], sessions: Sessions, _: bytes | None) -> SessionAnswer:
    # Verified before the function runs: by API Gateway's JWT authorizer on
    # AWS, by the gateway stand-in locally; both hand over the token's claims here.
    authorizer = event.get("requestContext", {}).get("authorizer") or {}
    claims = (authorizer.get("jwt") or {}).get("claims")
    return SessionAnswer(200, current_user(claims, sessions).to_json(), ("ProfileRead",), {})


def _discovery(_: Mapping[str, Any], sessions: Sessions, __: bytes | None) -> SessionAnswer:
    return SessionAnswer(200, sessions.tokens.discovery(), ("DiscoveryRead",), PUBLIC_CACHE)


def _jwks(_: Mapping[str, Any], sessions: Sessions, __: bytes | None) -> SessionAnswer:
    return SessionAnswer(200, sessions.tokens.jwks(), ("KeysRead",), PUBLIC_CACHE)


SESSION_OPERATIONS: Final[
    dict[Route, Callable[[Mapping[str, Any], Sessions, bytes | None], SessionAnswer]]
] = {
    SIGN_IN: _sign_in,
    REFRESH_SESSION: _refresh,
    SIGN_OUT: _sign_out,
    ME: _me,
    OPENID_CONFIGURATION: _discovery,
    JWKS: _jwks,
}


def serve_session_route(
    route: Route, event: Mapping[str, Any], sessions: Sessions | None, *, web_secret: bytes | None
) -> SessionAnswer:
    """Serve one of SESSION_OPERATIONS' routes."""
    if sessions is None:
        raise ConfigurationError(f"{SIGNING_KEY_ID} is not set: this stage cannot sign tokens")
    return SESSION_OPERATIONS[route](event, sessions, web_secret)
