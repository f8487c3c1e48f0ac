"""API Gateway HTTP API payload format 2.0: requests to events, Lambda results to responses.

Pure functions, so the translation can be checked without a server. The
rules follow the API Gateway developer guide ("Create AWS Lambda proxy
integrations for HTTP APIs").
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

# Bodies of these media types reach the handler as text; everything else
# (including a request with no Content-Type, and form posts) arrives
# base64-encoded with isBase64Encoded=true, as API Gateway sends them.
_TEXT_TYPES = frozenset({"application/json", "application/xml", "application/javascript"})

Header = tuple[str, str]


@dataclass(frozen=True)
class HttpRequest:
    """What the gateway received, before any translation."""

    method: str
    target: str  # path plus optional ?query, exactly as sent
    headers: tuple[Header, ...]
    body: bytes
    source_ip: str


@dataclass(frozen=True)
class HttpResponse:
    """What the gateway sends back; headers may repeat (set-cookie)."""

    status: int
    headers: tuple[Header, ...] = ()
    body: bytes = b""


class InvalidLambdaResponseError(ValueError):
    """The handler returned something API Gateway cannot turn into a response."""


def is_text(content_type: str | None) -> bool:
    """True when API Gateway passes a body of this Content-Type as text."""
    if not content_type:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return media.startswith("text/") or media in _TEXT_TYPES or media.endswith(("+json", "+xml"))


def combine_headers(headers: Iterable[Header]) -> dict[str, str]:
    """Lowercase names; join repeated headers with commas, in arrival order."""
    combined: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        combined[key] = f"{combined[key]},{value}" if key in combined else value
    return combined


def build_event(
    request: HttpRequest,
    *,
    route_key: str,
    request_id: str,
    api_id: str,
    account_id: str,
    now: float | None = None,
) -> dict[str, Any]:
    """The payload-2.0 event API Gateway would send for `request` on `route_key`."""
    epoch = time.time() if now is None else now
    path, _, query = request.target.partition("?")
    headers = combine_headers(request.headers)
    cookie_header = headers.pop("cookie", None)
    domain = headers.get("host", "localhost")
    http = {
        "method": request.method,
        "path": path,
        "protocol": "HTTP/1.1",
        "sourceIp": request.source_ip,
        "userAgent": headers.get("user-agent", ""),
    }
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": account_id,
            "apiId": api_id,
            "domainName": domain,
            "domainPrefix": domain.split(".", 1)[0],
            "http": http,
            "requestId": request_id,
            "routeKey": route_key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(epoch)),
            "timeEpoch": int(epoch * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookie_header:
        event["cookies"] = [c.strip() for c in cookie_header.replace(";", ",").split(",")]
    if query:
        params = combine_headers(parse_qsl(query, keep_blank_values=True))
        event["queryStringParameters"] = params
    if request.body:
        event.update(_body_fields(request.body, headers.get("content-type")))
    return event


def _body_fields(body: bytes, content_type: str | None) -> dict[str, Any]:
    if is_text(content_type):
        try:
            return {"body": body.decode("utf-8"), "isBase64Encoded": False}
        except UnicodeDecodeError:
            pass  # not valid text after all: send it the way binary bodies go
    return {"body": base64.b64encode(body).decode("ascii"), "isBase64Encoded": True}


def parse_lambda_result(result: object) -> HttpResponse:
    """Turn the handler's return value into a response, as payload format 2.0 does.

    A dict with `statusCode` is taken as a structured response; any other
    JSON value becomes a 200 application/json response with that value as body.
    """
    if isinstance(result, Mapping) and "statusCode" in result:
        return _structured(result)
    try:
        body = json.dumps(result)
    except (TypeError, ValueError) as exc:
        raise InvalidLambdaResponseError("result is not JSON-serialisable") from exc
    return HttpResponse(200, (("content-type", "application/json"),), body.encode())


def _structured(result: Mapping[str, Any]) -> HttpResponse:
    status = result["statusCode"]
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise InvalidLambdaResponseError(f"statusCode {status!r} is not an HTTP status")
    raw_headers = result.get("headers") or {}
    cookies = result.get("cookies") or []
    body = result.get("body") or ""
    if not isinstance(raw_headers, Mapping) or not isinstance(cookies, list):
        raise InvalidLambdaResponseError("headers must be an object and cookies a list")
    if not isinstance(body, str):
        raise InvalidLambdaResponseError("body must be a string")
    headers = [(str(k).lower(), _header_value(v)) for k, v in raw_headers.items()]
    headers += [("set-cookie", str(c)) for c in cookies]
    if result.get("isBase64Encoded"):
        try:
            payload = base64.b64decode(body, validate=True)
        except binascii.Error as exc:
            raise InvalidLambdaResponseError("isBase64Encoded but body is not base64") from exc
    else:
        payload = body.encode("utf-8")
    return HttpResponse(status, tuple(headers), payload)


def _header_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise InvalidLambdaResponseError("header values must be strings or numbers")
