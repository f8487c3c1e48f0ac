"""What the API's answers mean: one outcome class per answer, and readers from JSON to them.

`signup_web.api` sends the requests and decides which answers to repeat;
this module only reads what came back, so the pages and the tests name the
outcomes without knowing about HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

import httpx

from contract import codes
from contract.headers import REQUEST_ID, RETRY_AFTER

TOO_MANY_REQUESTS: Final = 429
IN_PROGRESS: Final = codes.REQUEST_IN_PROGRESS
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
class Account:
    """The signed-in user as `GET /me` answers (200)."""

    user_id: str
    username: str
    email: str
    created_at: str
    verified_at: str
    request_id: str


@dataclass(frozen=True, slots=True)
class Session:
    """The API signed the person in (200): tokens for this server's state, never for a page."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_in: int
    request_id: str


@dataclass(frozen=True, slots=True)
class SignedOut:
    """The API revoked the refresh token (204)."""

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


def read_signup_pending(payload: dict[str, Any], request_id: str) -> SignupPending:
    return SignupPending(
        username=str(payload["username"]),
        email=str(payload["email"]),
        expires_at=str(payload["expiresAt"]),
        request_id=request_id,
    )


def _user(payload: dict[str, Any]) -> dict[str, str]:
    # verifyEmail and GET /me describe the user alike.
    return {
        "user_id": str(payload["userId"]),
        "username": str(payload["username"]),
        "email": str(payload["email"]),
        "created_at": str(payload["createdAt"]),
        "verified_at": str(payload["verifiedAt"]),
    }


def read_verified(payload: dict[str, Any], request_id: str) -> Verified:
    return Verified(**_user(payload), request_id=request_id)


def read_account(payload: dict[str, Any], request_id: str) -> Account:
    return Account(**_user(payload), request_id=request_id)


def read_session(payload: dict[str, Any], request_id: str) -> Session:
    return Session(
        access_token=str(payload["accessToken"]),
        refresh_token=str(payload["refreshToken"]),
        expires_in=int(payload["expiresIn"]),
        request_id=request_id,
    )


def read_signed_out(_: dict[str, Any], request_id: str) -> SignedOut:
    return SignedOut(request_id=request_id)


def read_resend_accepted(payload: dict[str, Any], request_id: str) -> ResendAccepted:
    return ResendAccepted(detail=str(payload.get("detail") or ""), request_id=request_id)


def read_rejected(
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


def problem_codes(payload: dict[str, Any]) -> tuple[str, ...]:
    """The `code` of each problem in a problem+json body."""
    errors = payload.get("errors")
    listed = errors if isinstance(errors, list) else []
    return tuple(str(e.get("code") or "") for e in listed if isinstance(e, dict))


def interpret(
    response: httpx.Response,
    fields: Collection[str],
    success: Callable[[dict[str, Any], str], _Answer],
) -> _Answer | Rejected:
    """`success` of a 2xx body, Rejected for a 4xx (problems under `fields` by field), and
    ApiUnavailable raised for what waiting may cure (429, 5xx, a request still in progress)."""
    payload = json_object(response)
    request_id = str(payload.get("requestId") or response.headers.get(REQUEST_ID, ""))
    status = response.status_code
    if status >= 500 or status in _RETRYABLE or IN_PROGRESS in problem_codes(payload):
        raise ApiUnavailable(
            _unavailable_reason(status),
            status=status,
            request_id=request_id,
            retry_after=retry_after_seconds(response.headers.get(RETRY_AFTER, "")),
        )
    if 200 <= status < 300:
        try:
            return success(payload, request_id)
        except KeyError as exc:
            # The request may well have worked: say so rather than invite a blind retry.
            raise ApiUnavailable("The service sent an unreadable answer.", status=status) from exc
    if 400 <= status < 500:
        return read_rejected(status, payload, request_id, fields)
    raise ApiUnavailable(
        f"Unexpected answer (HTTP {status}).", status=status, request_id=request_id
    )


def _unavailable_reason(status: int) -> str:
    if status == TOO_MANY_REQUESTS:
        return "Too many attempts."
    if status == 409:
        return "The service is still working on your last attempt."
    return "The service is unavailable right now."


def retry_after_seconds(header: str) -> int | None:
    """Retry-After's seconds, if it gave some."""
    # Retry-After may also be an HTTP date; the API only sends seconds.
    return int(header) if header.strip().isdigit() else None


def json_object(response: httpx.Response) -> dict[str, Any]:
    """The body as a JSON object; empty when it is not one."""
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}
