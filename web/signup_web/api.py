"""The registration API client: sign up, verify, resend; answers mapped to outcomes.

Every request goes through `SignupApi._post`, the one place that builds
headers (an `Idempotency-Key` per submission and the browser's address will be
added there).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

import httpx

from backend.routes import CREATE_USER, RESEND_VERIFICATION, VERIFY_EMAIL, Route
from backend.rules import SIGNUP_FIELDS

# API Gateway gives up after 30 s, but the function answers 503 within about
# 10 s when its store is slow (short boto3 timeouts); waiting longer only
# keeps the user staring at a spinner.
DEFAULT_TIMEOUT: Final = httpx.Timeout(15.0, connect=3.0)
TOO_MANY_REQUESTS: Final = 429
_RETRYABLE: Final = frozenset({408, TOO_MANY_REQUESTS})
_Answer = TypeVar("_Answer")


@dataclass(frozen=True, slots=True)
class SignupPending:
    """The API accepted the sign-up (200): a mail is on its way to the address.

    The same answer whether the address is new or already had an account (its
    owner gets a notice instead of a link), so nothing here may tell them apart.
    """

    username: str
    email: str
    expires_at: str
    request_id: str


@dataclass(frozen=True, slots=True)
class Verified:
    """The API verified the address (200); a second click answers the same."""

    user_id: str
    username: str
    email: str
    created_at: str
    verified_at: str
    request_id: str


@dataclass(frozen=True, slots=True)
class ResendAccepted:
    """The API took the request for a new link (202), whatever the address's state."""

    detail: str
    request_id: str


@dataclass(frozen=True, slots=True)
class Rejected:
    """The API refused the request (4xx): messages by form field, and any for the whole form."""

    status: int
    request_id: str
    field_errors: dict[str, str] = field(default_factory=dict)
    form_errors: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    # The code of each field's message in `field_errors`.
    field_codes: dict[str, str] = field(default_factory=dict)


class ApiUnavailable(Exception):
    """The API was unreachable, slow, busy or failing (429, 5xx): retrying may work."""

    def __init__(
        self,
        reason: str,
        *,
        status: int | None = None,
        request_id: str = "",
        retry_after: int | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.request_id = request_id
        # Seconds the API asked us to wait (Retry-After), when it said.
        self.retry_after = retry_after

    @property
    def rate_limited(self) -> bool:
        """Too many attempts (the function's `rate_limited` or the gateway's throttle)."""
        return self.status == TOO_MANY_REQUESTS


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
    ) -> SignupPending | Rejected:
        """Sign up; raise ApiUnavailable when retrying could help."""
        body = {"username": username, "email": email, "password": password}
        response = await self._post(CREATE_USER, body)
        return _interpret(response, SIGNUP_FIELDS, _signup_pending)

    async def verify_email(self, *, token: str) -> Verified | Rejected:
        """Confirm the address behind `token`; 410 and 400 come back as Rejected with their code."""
        response = await self._post(VERIFY_EMAIL, {"token": token})
        return _interpret(response, ("token",), _verified)

    async def resend_verification(self, *, email: str) -> ResendAccepted | Rejected:
        """Ask for a new link for `email`; the answer never says whether one was sent."""
        response = await self._post(RESEND_VERIFICATION, {"email": email})
        return _interpret(response, ("email",), _resend_accepted)

    async def _post(self, route: Route, body: dict[str, str]) -> httpx.Response:
        # A client per call: sign-ups are rare, and a shared client would be
        # bound to whichever event loop first used it.
        async with httpx.AsyncClient(
            base_url=self._base_url, transport=self._transport, timeout=self._timeout
        ) as client:
            try:
                return await client.request(route.method, route.path, json=body)
            except httpx.TimeoutException as exc:
                raise ApiUnavailable("The service took too long to answer.") from exc
            except httpx.TransportError as exc:
                raise ApiUnavailable("The service could not be reached.") from exc


def _interpret(
    response: httpx.Response,
    fields: Collection[str],
    success: Callable[[dict[str, Any], str], _Answer],
) -> _Answer | Rejected:
    payload = _json_object(response)
    request_id = str(payload.get("requestId") or response.headers.get("x-request-id", ""))
    status = response.status_code
    if status >= 500 or status in _RETRYABLE:
        raise ApiUnavailable(
            _unavailable_reason(status),
            status=status,
            request_id=request_id,
            retry_after=_seconds(response.headers.get("retry-after", "")),
        )
    if 200 <= status < 300:
        try:
            return success(payload, request_id)
        except KeyError as exc:
            # The request may well have worked: say so rather than invite a blind retry.
            raise ApiUnavailable("The service sent an unreadable answer.", status=status) from exc
    if 400 <= status < 500:
        return _rejected(status, payload, request_id, fields)
    raise ApiUnavailable(
        f"Unexpected answer (HTTP {status}).", status=status, request_id=request_id
    )


def _unavailable_reason(status: int) -> str:
    if status == TOO_MANY_REQUESTS:
        return "Too many attempts."
    return "The service is unavailable right now."


def _seconds(header: str) -> int | None:
    # Retry-After may also be an HTTP date; the API only sends seconds.
    return int(header) if header.strip().isdigit() else None


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _signup_pending(payload: dict[str, Any], request_id: str) -> SignupPending:
    return SignupPending(
        username=str(payload["username"]),
        email=str(payload["email"]),
        expires_at=str(payload["expiresAt"]),
        request_id=request_id,
    )


def _verified(payload: dict[str, Any], request_id: str) -> Verified:
    return Verified(
        user_id=str(payload["userId"]),
        username=str(payload["username"]),
        email=str(payload["email"]),
        created_at=str(payload["createdAt"]),
        verified_at=str(payload["verifiedAt"]),
        request_id=request_id,
    )


def _resend_accepted(payload: dict[str, Any], request_id: str) -> ResendAccepted:
    return ResendAccepted(detail=str(payload.get("detail") or ""), request_id=request_id)


def _rejected(
    status: int, payload: dict[str, Any], request_id: str, fields: Collection[str]
) -> Rejected:
    field_errors: dict[str, str] = {}
    field_codes: dict[str, str] = {}
    form_errors: list[str] = []
    codes: list[str] = []
    errors = payload.get("errors")
    for error in errors if isinstance(errors, list) else []:
        if not isinstance(error, dict):
            continue
        name, message = error.get("field"), str(error.get("message") or "")
        code = str(error.get("code") or "")
        codes.append(code)
        if name in fields:
            # The first problem per field is the one the user should fix first.
            field_errors.setdefault(str(name), message)
            field_codes.setdefault(str(name), code)
        elif message:
            form_errors.append(message)
    if not field_errors and not form_errors:
        # Not problem+json (API Gateway's own 404, or API_URL pointing at the wrong place).
        form_errors.append(
            str(payload.get("detail") or f"The request was refused (HTTP {status}).")
        )
    return Rejected(status, request_id, field_errors, tuple(form_errors), tuple(codes), field_codes)
