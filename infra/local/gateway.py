"""The local API Gateway: an HTTP server that invokes the handler the way an HTTP API stage does."""

from __future__ import annotations

import base64
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from contract.routes import ROUTES
from infra.local import cors
from infra.local.authorizer import JwtAuthorizer, TokenRefused, unauthorized, with_claims
from infra.local.events import (
    HttpRequest,
    HttpResponse,
    InvalidLambdaResponseError,
    build_event,
    combine_headers,
    parse_lambda_result,
)
from infra.local.lambda_context import LocalLambdaContext

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any], Any], object]

# API Gateway's own answers, byte for byte what an HTTP API stage sends.
_JSON = (("content-type", "application/json"),)
NOT_FOUND = HttpResponse(404, _JSON, b'{"message":"Not Found"}')
TOO_LARGE = HttpResponse(413, _JSON, b'{"message":"Request Entity Too Large"}')
INTERNAL_ERROR = HttpResponse(500, _JSON, b'{"message":"Internal Server Error"}')
SERVICE_UNAVAILABLE = HttpResponse(503, _JSON, b'{"message":"Service Unavailable"}')


@dataclass(frozen=True)
class GatewayConfig:
    """The parts of an HTTP API stage the local gateway reproduces."""

    routes: frozenset[str] = frozenset(route.key for route in ROUTES)
    # The routes behind the JWT authorizer, and the authorizer (None: none is
    # configured, and those routes answer 401 as an authorizer with no keys would).
    bearer_routes: frozenset[str] = frozenset(route.key for route in ROUTES if route.bearer)
    authorizer: JwtAuthorizer | None = None
    cors: cors.CorsConfig | None = field(default_factory=cors.CorsConfig)
    integration_timeout: float = 30.0  # HTTP API's hard maximum
    max_body_bytes: int = 10 * 1024 * 1024  # HTTP API's payload quota
    function_name: str = "signup-local"
    region: str = "us-east-1"
    api_id: str = "local"
    account_id: str = "000000000000"


class IntegrationTimeoutError(Exception):
    """The handler did not answer within the integration timeout."""


class FunctionError(Exception):
    """The handler raised; on AWS this is a function error."""


def new_request_id() -> str:
    """An id shaped like API Gateway's (16 base64 characters, e.g. `JKJaXmPLvHcESHA=`)."""
    return base64.b64encode(os.urandom(11)).decode("ascii")


def answer(request: HttpRequest, handler: Handler, config: GatewayConfig) -> HttpResponse:
    """Everything the stage does with one request, from routing to the final headers."""
    request_id = new_request_id()
    headers = combine_headers(request.headers)
    if config.cors is not None and cors.is_preflight(request.method, headers):
        response = HttpResponse(204, cors.preflight_headers(config.cors, headers))
    else:
        response = _route(request, handler, config, request_id)
        if config.cors is not None:
            added = cors.response_headers(config.cors, headers.get("origin"))
            kept = cors.strip_cors_headers(response.headers)
            response = HttpResponse(response.status, kept + added, response.body)
    return HttpResponse(
        response.status, (*response.headers, ("apigw-requestid", request_id)), response.body
    )


def _route(
    request: HttpRequest, handler: Handler, config: GatewayConfig, request_id: str
) -> HttpResponse:
    path = request.target.partition("?")[0]
    route_key = f"{request.method} {path}"
    if route_key not in config.routes:
        return NOT_FOUND
    event = build_event(
        request,
        route_key=route_key,
        request_id=request_id,
        api_id=config.api_id,
        account_id=config.account_id,
    )
    if route_key in config.bearer_routes and (refusal := _authorize(event, request, config)):
        return refusal
    context = LocalLambdaContext(
        function_name=config.function_name,
        region=config.region,
        timeout_seconds=config.integration_timeout,
        account_id=config.account_id,
    )
    try:
        return parse_lambda_result(invoke(handler, event, context, config.integration_timeout))
    except IntegrationTimeoutError:
        log.error("%s: integration timed out after %.0f s", route_key, config.integration_timeout)
        return SERVICE_UNAVAILABLE
    except FunctionError as exc:
        log.error("%s: handler raised", route_key, exc_info=exc.__cause__)
        return INTERNAL_ERROR
    except InvalidLambdaResponseError as exc:
        log.error("%s: malformed Lambda response: %s", route_key, exc)
        return INTERNAL_ERROR


def _authorize(
    event: dict[str, Any], request: HttpRequest, config: GatewayConfig
) -> HttpResponse | None:
    """Verify the bearer token into the event's claims; the 401 when it fails."""
    # As on AWS: the authorizer answers first; the function never runs for a bad token.
    if config.authorizer is None:
        return unauthorized("no authorizer is configured")
    try:
        with_claims(event, config.authorizer.claims(combine_headers(request.headers)))
    except TokenRefused as exc:
        return unauthorized(str(exc))
    return None


def invoke(handler: Handler, event: dict[str, Any], context: Any, timeout: float) -> object:
    """Call the handler in its own thread and wait at most `timeout` seconds.

    A handler that overruns keeps running in the background, as a Lambda
    invocation does after API Gateway has given up on it.
    """
    results: list[object] = []
    errors: list[Exception] = []

    def run() -> None:
        try:
            results.append(handler(event, context))
        except Exception as exc:  # noqa: BLE001 (any function error is a 500, as on AWS)
            errors.append(exc)

    worker = threading.Thread(target=run, name="invocation", daemon=True)
    worker.start()
    worker.join(timeout)
    if errors:
        raise FunctionError from errors[0]
    if worker.is_alive() or not results:
        raise IntegrationTimeoutError
    return results[0]
