"""The registration API client: one `POST /createUser`, problem+json mapped to field errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

import httpx

from backend.routes import CREATE_USER
from backend.rules import SIGNUP_FIELDS

# API Gateway gives up after 30 s, but the function answers 503 within about
# 10 s when its store is slow (short boto3 timeouts); waiting longer only
# keeps the user staring at a spinner.
DEFAULT_TIMEOUT: Final = httpx.Timeout(15.0, connect=3.0)
_RETRYABLE: Final = frozenset({408, 429})


@dataclass(frozen=True, slots=True)
class Registered:
    """The API created the user (200)."""

    user_id: str
    username: str
    email: str
    created_at: str
    request_id: str


@dataclass(frozen=True, slots=True)
class Rejected:
    """The API refused the request (4xx): messages by form field, and any for the whole form."""

    status: int
    request_id: str
    field_errors: dict[str, str] = field(default_factory=dict)
    form_errors: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()


class ApiUnavailable(Exception):
    """The API was unreachable, too slow or failing (429, 5xx): the same request may work later."""

    def __init__(
        self, reason: str, *, status: int | None = None, request_id: str = "", retry_after: str = ""
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.request_id = request_id
        self.retry_after = retry_after


class SignupApi:
    """A client for one stage's API; `transport` lets tests answer without a network."""

    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._transport = transport
        self._timeout = timeout

    async def create_user(
        self, *, username: str, email: str, password: str
    ) -> Registered | Rejected:
        """Register a user; raise ApiUnavailable when retrying could help."""
        body = {"username": username, "email": email, "password": password}
        # A client per call: sign-ups are rare, and a shared client would be
        # bound to whichever event loop first used it.
        async with httpx.AsyncClient(
            base_url=self._base_url, transport=self._transport, timeout=self._timeout
        ) as client:
            try:
                response = await client.post(CREATE_USER.path, json=body)
            except httpx.TimeoutException as exc:
                raise ApiUnavailable("The service took too long to answer.") from exc
            except httpx.TransportError as exc:
                raise ApiUnavailable("The service could not be reached.") from exc
        return _interpret(response)


def _interpret(response: httpx.Response) -> Registered | Rejected:
    payload = _json_object(response)
    request_id = str(payload.get("requestId") or response.headers.get("x-request-id", ""))
    status = response.status_code
    if status >= 500 or status in _RETRYABLE:
        raise ApiUnavailable(
            "The service is unavailable right now.",
            status=status,
            request_id=request_id,
            retry_after=response.headers.get("retry-after", ""),
        )
    if status == 200:
        return _registered(payload, request_id)
    if 400 <= status < 500:
        return _rejected(status, payload, request_id)
    raise ApiUnavailable(
        f"Unexpected answer (HTTP {status}).", status=status, request_id=request_id
    )


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _registered(payload: dict[str, Any], request_id: str) -> Registered:
    try:
        return Registered(
            user_id=str(payload["userId"]),
            username=str(payload["username"]),
            email=str(payload["email"]),
            created_at=str(payload["createdAt"]),
            request_id=request_id,
        )
    except KeyError as exc:
        # The user may well exist: say so rather than invite a blind retry.
        raise ApiUnavailable("The service sent an unreadable answer.", status=200) from exc


def _rejected(status: int, payload: dict[str, Any], request_id: str) -> Rejected:
    field_errors: dict[str, str] = {}
    form_errors: list[str] = []
    codes: list[str] = []
    errors = payload.get("errors")
    for error in errors if isinstance(errors, list) else []:
        if not isinstance(error, dict):
            continue
        name, message = error.get("field"), str(error.get("message") or "")
        codes.append(str(error.get("code") or ""))
        if name in SIGNUP_FIELDS:
            # The first problem per field is the one the user should fix first.
            field_errors.setdefault(str(name), message)
        elif message:
            form_errors.append(message)
    if not field_errors and not form_errors:
        # Not problem+json (a proxy, or API_URL pointing at the wrong place).
        form_errors.append(
            str(payload.get("detail") or f"The request was refused (HTTP {status}).")
        )
    return Rejected(status, request_id, field_errors, tuple(form_errors), tuple(codes))
