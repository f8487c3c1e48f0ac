"""Lambda proxy responses: JSON for success, RFC 9457 problem+json for every error."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Final

from contract.headers import REQUEST_ID
from contract.rules import FieldProblem

_TITLES: Final = {
    400: "Invalid request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Already registered",
    410: "Gone",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}
_DETAILS: Final = {
    400: "The request broke one or more rules; see errors.",
    401: "The credentials or token were not accepted; see errors.",
    403: "Confirm your email address first, with the link we mailed you.",
    409: "The username is already taken; see errors.",
    410: "The link has expired; ask for a new one.",
    422: "The Idempotency-Key was used for another request; use a new key.",
    429: "Too many requests; retry after the time in Retry-After.",
    500: "Something went wrong on our side; it has been logged.",
    503: "The service is briefly unavailable; retry after the time in Retry-After.",
}
# Sign-up answers hold personal data: no cache, proxy or browser may keep them.
_COMMON_HEADERS: Final = {"cache-control": "no-store", "x-content-type-options": "nosniff"}


def _response(
    status: int, body: Mapping[str, Any], content_type: str, headers: Mapping[str, str]
) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"content-type": content_type, **_COMMON_HEADERS, **headers},
        "body": json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        "isBase64Encoded": False,
    }


def ok(
    body: Mapping[str, Any],
    *,
    request_id: str,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A success (200 unless told otherwise) with a JSON body (none for a 204)."""
    response = _response(
        status, body, "application/json", {REQUEST_ID: request_id, **(headers or {})}
    )
    if status == 204:  # RFC 9110: no content, so no body and no content type
        del response["headers"]["content-type"]
        response["body"] = ""
    return response


def problem(
    status: int,
    errors: Iterable[FieldProblem],
    *,
    request_id: str,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """An application/problem+json response listing every problem."""
    items = [{"field": e.field, "code": e.code, "message": e.message} for e in errors]
    title = _TITLES.get(status, "Error")
    body = {
        "type": f"urn:signup:problem:{title.lower().replace(' ', '-')}",
        "title": title,
        "status": status,
        "detail": _DETAILS.get(status, items[0]["message"] if items else title),
        "requestId": request_id,
        "errors": items,
    }
    return _response(
        status, body, "application/problem+json", {REQUEST_ID: request_id, **(headers or {})}
    )
