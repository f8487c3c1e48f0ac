"""An httpx transport that answers like the API and records what it was sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx


def problem(
    status: int, errors: list[tuple[str | None, str, str]], *, request_id: str = "rid-problem"
) -> httpx.Response:
    """A problem+json answer shaped like backend/responses.py builds it."""
    body = {
        "type": "urn:signup:problem:test",
        "title": "Test",
        "status": status,
        "detail": "See errors.",
        "requestId": request_id,
        "errors": [{"field": f, "code": c, "message": m} for f, c, m in errors],
    }
    headers = {"content-type": "application/problem+json", "x-request-id": request_id}
    return httpx.Response(status, headers=headers, content=json.dumps(body))


def created(username: str = "AdaLovelace", email: str = "ada@example.com") -> httpx.Response:
    """A 200 answer to a sign-up: pending until the mailed link is followed."""
    body = {
        "username": username,
        "email": email,
        "status": "pending_verification",
        "expiresAt": "2026-11-24T19:03:58Z",
    }
    return httpx.Response(200, headers={"x-request-id": "rid-ok"}, json=body)


def verified(username: str = "AdaLovelace", email: str = "ada@example.com") -> httpx.Response:
    """A 200 answer to a verification."""
    body = {
        "userId": "0b9f3f5e-5c1a-4d8e-9f3c-2a7d6c1e4b10",
        "username": username,
        "email": email,
        "createdAt": "2026-11-23T19:03:58.391Z",
        "verifiedAt": "2026-11-23T19:05:12.004Z",
    }
    return httpx.Response(200, headers={"x-request-id": "rid-verified"}, json=body)


def signed_in(access: str = "access-1", refresh: str = "refresh-1") -> httpx.Response:
    """A 200 answer to a sign-in or a refresh: a token pair (opaque strings here)."""
    body = {"accessToken": access, "tokenType": "Bearer", "expiresIn": 900, "refreshToken": refresh}
    return httpx.Response(200, headers={"x-request-id": "rid-session"}, json=body)


def account(username: str = "AdaLovelace", email: str = "ada@example.com") -> httpx.Response:
    """A 200 answer to GET /me."""
    response = verified(username, email)
    response.headers["x-request-id"] = "rid-me"
    return response


def signed_out() -> httpx.Response:
    """The 204 answer to a sign-out."""
    return httpx.Response(204, headers={"x-request-id": "rid-signed-out"})


def unauthorized() -> httpx.Response:
    """A 401 to GET /me as API Gateway's JWT authorizer sends it: not problem+json."""
    return httpx.Response(
        401, headers={"www-authenticate": "Bearer"}, json={"message": "Unauthorized"}
    )


def accepted() -> httpx.Response:
    """The 202 answer to every resend."""
    body = {
        "status": "accepted",
        "detail": "If this address is waiting for confirmation, a new link is on its way.",
    }
    return httpx.Response(202, headers={"x-request-id": "rid-resend"}, json=body)


def throttled(retry_after: str | None = "7") -> httpx.Response:
    """429: the function's rate_limited problem (with Retry-After), or the gateway's own."""
    if retry_after is None:
        return httpx.Response(429, json={"message": "Too Many Requests"})
    response = problem(429, [(None, "rate_limited", "Slow down.")], request_id="rid-429")
    response.headers["retry-after"] = retry_after
    return response


def in_progress(retry_after: str = "1") -> httpx.Response:
    """409: the first request with this Idempotency-Key is still running."""
    response = problem(409, [(None, "request_in_progress", "Still running.")], request_id="rid-409")
    response.headers["retry-after"] = retry_after
    return response


Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


@dataclass
class FakeApi:
    """Answers requests in turn (the last answer repeats) and keeps the requests.

    An answer is a response, an exception to raise (a timeout, a dropped
    connection) or a function of the request.
    """

    answer: Answer | list[Answer]
    requests: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        """The MockTransport handler."""
        self.requests.append(request)
        answers = self.answer if isinstance(self.answer, list) else [self.answer]
        answer = answers[min(len(self.requests), len(answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return answer(request)

    @property
    def transport(self) -> httpx.MockTransport:
        """A transport for SignupApi(transport=...)."""
        return httpx.MockTransport(self.handle)

    def bodies(self) -> list[dict[str, Any] | None]:
        """The JSON bodies sent so far (None for a request without one, a GET)."""
        return [json.loads(r.content) if r.content else None for r in self.requests]
