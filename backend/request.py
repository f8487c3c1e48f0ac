"""Reading a request out of an API Gateway HTTP API (payload 2.0) event: its route and JSON body."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any, Final

from backend.errors import InvalidRequest
from contract import codes
from contract.routes import Route, find_route, methods_on

# A sign-up body is three short strings; 16 KiB leaves room for the longest
# valid values escaped as \uXXXX while keeping parsing cheap and bounded.
MAX_BODY_BYTES: Final = 16 * 1024
MAX_DEPTH: Final = 32


def header(event: Mapping[str, Any], name: str) -> str | None:
    """A request header by its lower-case name (payload 2.0 lower-cases them), if sent."""
    headers = event.get("headers") or {}
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if str(k).lower() == name), None)
    return None if value is None else str(value)


def request_id(event: Mapping[str, Any]) -> str:
    """API Gateway's request id (the one in its access log), or "-" when absent."""
    return str(event.get("requestContext", {}).get("requestId") or "-")


def _check_media_type(headers: Mapping[str, str]) -> None:
    media_type, *params = (
        part.strip().lower() for part in headers.get("content-type", "").split(";")
    )
    charsets = [p.partition("=")[2].strip('"') for p in params if p.startswith("charset=")]
    if media_type != "application/json" or any(c != "utf-8" for c in charsets):
        raise InvalidRequest(
            415, codes.UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json (UTF-8)."
        )


def _body_bytes(event: Mapping[str, Any]) -> bytes:
    body = event.get("body") or ""
    if not isinstance(body, str):
        raise InvalidRequest(400, codes.BODY_INVALID_JSON, "The body is not valid JSON.")
    # Checked before decoding so a huge body costs nothing to refuse.
    encoded_limit = MAX_BODY_BYTES * 4 // 3 + 4 if event.get("isBase64Encoded") else MAX_BODY_BYTES
    if len(body) > encoded_limit:
        raise _too_large()
    if not event.get("isBase64Encoded"):
        data = body.encode("utf-8", "surrogatepass")
    else:
        try:
            data = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidRequest(
                400, codes.BODY_INVALID_JSON, "The body is not valid base64."
            ) from exc
    if len(data) > MAX_BODY_BYTES:
        raise _too_large()
    return data


def _too_large() -> InvalidRequest:
    return InvalidRequest(413, codes.PAYLOAD_TOO_LARGE, f"The body is over {MAX_BODY_BYTES} bytes.")


def _exceeds_depth(text: str) -> bool:
    # json.loads recurses per level; refuse deep nesting before it does.
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    if len({key for key, _ in pairs}) != len(pairs):
        raise InvalidRequest(400, codes.FIELD_DUPLICATE, "Each field may appear only once.")
    return dict(pairs)


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def route_of(event: Mapping[str, Any]) -> Route:
    """The route `event` was sent to, or InvalidRequest 404 (no such path) / 405 (method)."""
    path = str(event.get("rawPath") or "")
    method = str(event.get("requestContext", {}).get("http", {}).get("method", ""))
    if route := find_route(method, path):
        return route
    if allowed := methods_on(path):
        methods = ", ".join(allowed)
        raise InvalidRequest(
            405, codes.METHOD_NOT_ALLOWED, f"Use {methods} for {path}.", headers={"allow": methods}
        )
    raise InvalidRequest(404, codes.ROUTE_NOT_FOUND, "No such route.")


def read_json_object(event: Mapping[str, Any]) -> dict[str, object]:
    """The JSON object in the event's body, or InvalidRequest with its status and code."""
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    _check_media_type(headers)
    data = _body_bytes(event)
    if not data.strip():
        raise InvalidRequest(400, codes.BODY_REQUIRED, "Send a JSON object.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidRequest(400, codes.BODY_INVALID_JSON, "The body is not valid UTF-8.") from exc
    if _exceeds_depth(text):
        raise InvalidRequest(
            400, codes.BODY_TOO_DEEP, f"JSON nested deeper than {MAX_DEPTH} levels."
        )
    try:
        payload = json.loads(
            text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant
        )
    except ValueError as exc:  # JSONDecodeError is a ValueError
        raise InvalidRequest(400, codes.BODY_INVALID_JSON, "The body is not valid JSON.") from exc
    if not isinstance(payload, dict):
        raise InvalidRequest(400, codes.BODY_NOT_OBJECT, "The body must be a JSON object.")
    try:
        # "\ud800" is valid JSON but not a Unicode scalar value; refuse it here
        # rather than fail later when the password is encoded for hashing.
        json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidRequest(400, codes.BODY_INVALID_JSON, "The body has invalid Unicode.") from exc
    return payload
