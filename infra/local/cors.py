"""CORS as an HTTP API stage answers it: preflights by the gateway, headers added to responses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from contract.routes import CORS
from infra.local.events import Header


def web_origins(port: int) -> tuple[str, ...]:
    """The browser origins of a local web UI on `port`."""
    return (f"http://localhost:{port}", f"http://127.0.0.1:{port}")


# Reflex's default frontend port.
LOCAL_WEB_ORIGINS = web_origins(3000)


@dataclass(frozen=True)
class CorsConfig:
    """The stage's CORS configuration, field for field as `aws.apigatewayv2.Api` takes it.

    Everything but the origins comes from contract.routes.CORS, as on AWS
    (infra/components/http_api.py).
    """

    allow_origins: tuple[str, ...] = LOCAL_WEB_ORIGINS
    allow_methods: tuple[str, ...] = CORS.allow_methods
    allow_headers: tuple[str, ...] = CORS.allow_headers
    expose_headers: tuple[str, ...] = CORS.expose_headers
    max_age: int = CORS.max_age
    allow_credentials: bool = CORS.allow_credentials

    def allows_origin(self, origin: str) -> bool:
        """Exact match, `*`, or a scheme wildcard (`https://*`), as API Gateway accepts."""
        for allowed in self.allow_origins:
            if allowed in ("*", origin):
                return True
            if allowed.endswith("://*") and origin.startswith(allowed[:-1]):
                return True
        return False


def is_preflight(method: str, headers: Mapping[str, str]) -> bool:
    """A CORS preflight: OPTIONS with both Origin and Access-Control-Request-Method."""
    return (
        method == "OPTIONS" and "origin" in headers and "access-control-request-method" in headers
    )


def preflight_headers(config: CorsConfig, headers: Mapping[str, str]) -> tuple[Header, ...]:
    """Headers of the gateway's 204 answer to a preflight; none when the origin is not allowed.

    Without CORS headers the browser refuses the real request, which is the
    refusal API Gateway gives too; the status stays 204 either way.
    """
    origin = headers["origin"]
    method = headers["access-control-request-method"].upper()
    if not config.allows_origin(origin) or not _allowed(config.allow_methods, method):
        return ()
    requested = headers.get("access-control-request-headers", "")
    result: list[Header] = [
        ("access-control-allow-origin", _origin_value(config, origin)),
        ("access-control-allow-methods", _listed(config.allow_methods, method)),
        ("access-control-max-age", str(config.max_age)),
    ]
    if config.allow_headers:
        result.append(("access-control-allow-headers", _listed(config.allow_headers, requested)))
    if config.allow_credentials:
        result.append(("access-control-allow-credentials", "true"))
    return tuple(result)


def response_headers(config: CorsConfig, origin: str | None) -> tuple[Header, ...]:
    """CORS headers the gateway adds to an actual (non-preflight) response."""
    if origin is None or not config.allows_origin(origin):
        return ()
    result: list[Header] = [("access-control-allow-origin", _origin_value(config, origin))]
    if config.expose_headers:
        result.append(("access-control-expose-headers", ",".join(config.expose_headers)))
    if config.allow_credentials:
        result.append(("access-control-allow-credentials", "true"))
    return tuple(result)


def strip_cors_headers(headers: tuple[Header, ...]) -> tuple[Header, ...]:
    """With CORS configured, API Gateway ignores CORS headers from the integration."""
    return tuple(h for h in headers if not h[0].startswith("access-control-"))


def _allowed(configured: tuple[str, ...], method: str) -> bool:
    return "*" in configured or method in (m.upper() for m in configured)


def _origin_value(config: CorsConfig, origin: str) -> str:
    # A literal `*` is only valid without credentials; otherwise echo the origin.
    return "*" if "*" in config.allow_origins and not config.allow_credentials else origin


def _listed(configured: tuple[str, ...], requested: str) -> str:
    # `*` in the config means "whatever was asked for".
    return requested if "*" in configured else ",".join(configured)
