"""The account API client: sign up, verify, resend, sign in and out; answers mapped to outcomes.

Every request goes through `SignupApi._send`, the one place that builds
headers and retries. A sign-up or resend carries the submission's
`Idempotency-Key`, so repeating it after a lost answer (a timeout, a dropped
connection, a 5xx) gets the first answer back instead of acting twice; a
verification, a sign-out and reading the account are safe to repeat as they
are. A refresh is never repeated: the API spends a refresh token on first use
and treats a second use as theft, revoking the whole session. The browser's
own address travels in `X-Client-Address`, vouched for by the stage's secret,
so the API's per-address limits count each visitor rather than this server.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

import httpx

from contract import codes
from contract.headers import (
    AUTHORIZATION,
    FORWARDED_ADDRESS,
    FORWARDED_SECRET,
    IDEMPOTENCY_KEY,
    REQUEST_ID,
    RETRY_AFTER,
)
from contract.routes import (
    CREATE_USER,
    ME,
    REFRESH_SESSION,
    RESEND_VERIFICATION,
    SIGN_IN,
    SIGN_OUT,
    VERIFY_EMAIL,
    Route,
)
from contract.rules import SIGNUP_FIELDS

# API Gateway gives up after 30 s, but the function answers 503 within about
# 10 s when its store is slow (short boto3 timeouts); waiting longer only
# keeps the user staring at a spinner.
CONNECT_SECONDS: Final = 3.0


def call_timeout(seconds: float) -> httpx.Timeout:
    """`seconds` for one attempt's answer; a few for the connection, which is quick or broken."""
    return httpx.Timeout(seconds, connect=min(CONNECT_SECONDS, seconds))


DEFAULT_TIMEOUT: Final = call_timeout(15.0)
TOO_MANY_REQUESTS: Final = 429
IN_PROGRESS: Final = codes.REQUEST_IN_PROGRESS
_RETRYABLE: Final = frozenset({408, TOO_MANY_REQUESTS})
# Answers after which the same request may well succeed: the function or the
# gateway failed, or the first attempt with this key is still running (409).
_REPEAT_AFTER: Final = frozenset({500, 502, 503, 504})
_Answer = TypeVar("_Answer")
# Requests that do the same whether they arrive once or twice: following a
# link with its password, revoking a refresh token, reading the account.
_REPEATABLE: Final = frozenset({VERIFY_EMAIL, SIGN_OUT, ME})


@dataclass(frozen=True, slots=True)
class Retries:
    """How a request that is safe to repeat is repeated before the visitor is told.

    `budget` bounds every attempt and pause together, so a visitor waits at
    most that long for an answer; `pause` is used when the API gave no
    Retry-After, and no pause is longer than `longest_pause`.
    """

    attempts: int = 3
    budget: float = 30.0
    pause: float = 0.5
    longest_pause: float = 5.0


DEFAULT_RETRIES: Final = Retries()


def new_idempotency_key() -> str:
    """A key for one new submission: random, so no two visitors' submissions share one."""
    return str(uuid.uuid4())


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


class SignupApi:
    """A client for one stage's API; `transport` lets tests answer without a network.

    `client_address_secret` is the stage's secret the API checks before it
    believes a forwarded browser address; without it the address is not sent
    and every visitor counts as this server.
    """

    def __init__(
        self,
        base_url: str,
        *,
        client_address_secret: str = "",
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retries: Retries = DEFAULT_RETRIES,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._secret = client_address_secret
        self._transport = transport
        self._timeout = timeout
        self._retries = retries

    async def create_user(
        self, *, username: str, email: str, password: str, key: str, for_address: str = ""
    ) -> SignupPending | Rejected:
        """Sign up under the submission's `key`; raise ApiUnavailable when retrying could help."""
        body = {"username": username, "email": email, "password": password}
        response = await self._send(CREATE_USER, body, key=key, for_address=for_address)
        return _interpret(response, SIGNUP_FIELDS, _signup_pending)

    async def verify_email(
        self, *, token: str, password: str, for_address: str = ""
    ) -> Verified | Rejected:
        """Confirm the address behind `token` with the sign-up's password; 410 and 400 come back
        as Rejected with their code (`password_mismatch` under the password)."""
        body = {"token": token, "password": password}
        response = await self._send(VERIFY_EMAIL, body, for_address=for_address)
        return _interpret(response, ("token", "password"), _verified)

    async def sign_in(
        self, *, login: str, password: str, for_address: str = ""
    ) -> Session | Rejected:
        """Sign in by username or address; 401 and 403 come back as Rejected, 429 is raised."""
        body = {"login": login, "password": password}
        response = await self._send(SIGN_IN, body, for_address=for_address)
        return _interpret(response, ("login", "password"), _session)

    async def refresh_session(
        self, *, refresh_token: str, for_address: str = ""
    ) -> Session | Rejected:
        """Trade `refresh_token` for new tokens, once; 401 `refresh_token_invalid` as Rejected."""
        body = {"refreshToken": refresh_token}
        response = await self._send(REFRESH_SESSION, body, for_address=for_address)
        return _interpret(response, (), _session)

    async def sign_out(self, *, refresh_token: str, for_address: str = "") -> SignedOut | Rejected:
        """Revoke `refresh_token` (204)."""
        body = {"refreshToken": refresh_token}
        response = await self._send(SIGN_OUT, body, for_address=for_address)
        return _interpret(response, (), _signed_out)

    async def get_me(self, *, access_token: str, for_address: str = "") -> Account | Rejected:
        """The user the access token names; any 401 (expired, revoked) comes back as Rejected."""
        response = await self._send(ME, None, bearer=access_token, for_address=for_address)
        return _interpret(response, (), _account)

    async def resend_verification(
        self, *, email: str, key: str, for_address: str = ""
    ) -> ResendAccepted | Rejected:
        """Ask for a new link for `email`; the answer never says whether one was sent."""
        body = {"email": email}
        response = await self._send(RESEND_VERIFICATION, body, key=key, for_address=for_address)
        return _interpret(response, ("email",), _resend_accepted)

    async def _send(
        self,
        route: Route,
        body: dict[str, str] | None,
        *,
        key: str | None = None,
        bearer: str = "",
        for_address: str,
    ) -> httpx.Response:
        """Send `body` to `route`, repeating it while that is safe and worth it.

        Safe: the request carries an Idempotency-Key, or the route is in
        `_REPEATABLE`. Worth it: the answer was lost (timeout, dropped
        connection), a 5xx, or the API's 409 saying the first attempt with
        this key is still running.
        """
        repeatable = key is not None or route in _REPEATABLE
        attempts = self._retries.attempts if repeatable else 1
        deadline = time.monotonic() + self._retries.budget
        headers = self._headers(key, for_address)
        if bearer:
            headers[AUTHORIZATION] = f"Bearer {bearer}"
        # A client per call: sign-ups are rare, and a shared client would be
        # bound to whichever event loop first used it.
        async with httpx.AsyncClient(
            base_url=self._base_url, transport=self._transport, headers=headers
        ) as client:
            for attempt in range(1, attempts + 1):
                outcome = await self._attempt(client, route, body, deadline)
                if isinstance(outcome, httpx.Response) and not _worth_repeating(outcome):
                    return outcome
                wait = min(self._pause_after(outcome), self._retries.longest_pause)
                if attempt == attempts or time.monotonic() + wait >= deadline:
                    break
                await asyncio.sleep(wait)
        if isinstance(outcome, ApiUnavailable):
            raise outcome
        return outcome  # the last 5xx or 409, for _interpret to explain

    async def _attempt(
        self,
        client: httpx.AsyncClient,
        route: Route,
        body: dict[str, str] | None,
        deadline: float,
    ) -> httpx.Response | ApiUnavailable:
        try:
            timeout = self._attempt_timeout(deadline)
            return await client.request(route.method, route.path, json=body, timeout=timeout)
        except httpx.TimeoutException as exc:
            failure = ApiUnavailable("The service took too long to answer.")
            failure.__cause__ = exc
        except httpx.TransportError as exc:
            failure = ApiUnavailable("The service could not be reached.")
            failure.__cause__ = exc
        return failure

    def _pause_after(self, outcome: httpx.Response | ApiUnavailable) -> float:
        if isinstance(outcome, httpx.Response):
            return _seconds(outcome.headers.get(RETRY_AFTER, "")) or self._retries.pause
        return self._retries.pause

    def _headers(self, key: str | None, for_address: str) -> dict[str, str]:
        headers: dict[str, str] = {}
        if key is not None:
            headers[IDEMPOTENCY_KEY] = key
        if self._secret and for_address:
            # The secret never goes without an address, nor an address without it.
            headers[FORWARDED_ADDRESS] = for_address
            headers[FORWARDED_SECRET] = self._secret
        return headers

    def _attempt_timeout(self, deadline: float) -> httpx.Timeout:
        # Later attempts get what is left of the budget, never more than one attempt's share.
        left = max(deadline - time.monotonic(), 0.1)
        read = self._timeout.read if self._timeout.read is not None else left
        connect = self._timeout.connect if self._timeout.connect is not None else left
        return httpx.Timeout(min(read, left), connect=min(connect, left))


def _worth_repeating(response: httpx.Response) -> bool:
    if response.status_code in _REPEAT_AFTER:
        return True
    return response.status_code == 409 and IN_PROGRESS in _codes(_json_object(response))


def _codes(payload: dict[str, Any]) -> tuple[str, ...]:
    errors = payload.get("errors")
    listed = errors if isinstance(errors, list) else []
    return tuple(str(e.get("code") or "") for e in listed if isinstance(e, dict))


def _interpret(
    response: httpx.Response,
    fields: Collection[str],
    success: Callable[[dict[str, Any], str], _Answer],
) -> _Answer | Rejected:
    payload = _json_object(response)
    request_id = str(payload.get("requestId") or response.headers.get(REQUEST_ID, ""))
    status = response.status_code
    if status >= 500 or status in _RETRYABLE or IN_PROGRESS in _codes(payload):
        raise ApiUnavailable(
            _unavailable_reason(status),
            status=status,
            request_id=request_id,
            retry_after=_seconds(response.headers.get(RETRY_AFTER, "")),
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
    if status == 409:
        return "The service is still working on your last attempt."
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


def _user(payload: dict[str, Any]) -> dict[str, str]:
    # verifyEmail and GET /me describe the user alike.
    return {
        "user_id": str(payload["userId"]),
        "username": str(payload["username"]),
        "email": str(payload["email"]),
        "created_at": str(payload["createdAt"]),
        "verified_at": str(payload["verifiedAt"]),
    }


def _verified(payload: dict[str, Any], request_id: str) -> Verified:
    return Verified(**_user(payload), request_id=request_id)


def _account(payload: dict[str, Any], request_id: str) -> Account:
    return Account(**_user(payload), request_id=request_id)


def _session(payload: dict[str, Any], request_id: str) -> Session:
    return Session(
        access_token=str(payload["accessToken"]),
        refresh_token=str(payload["refreshToken"]),
        expires_in=int(payload["expiresIn"]),
        request_id=request_id,
    )


def _signed_out(_: dict[str, Any], request_id: str) -> SignedOut:
    return SignedOut(request_id=request_id)


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
