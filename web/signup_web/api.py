"""The account API client: sign up, verify, resend, sign in and out, read the account.

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
from dataclasses import dataclass
from typing import Final

import httpx

from contract.headers import (
    AUTHORIZATION,
    FORWARDED_ADDRESS,
    FORWARDED_SECRET,
    IDEMPOTENCY_KEY,
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
from signup_web.answers import (
    IN_PROGRESS,
    Account,
    ApiUnavailable,
    Rejected,
    ResendAccepted,
    Session,
    SignedOut,
    SignupPending,
    Verified,
    interpret,
    json_object,
    problem_codes,
    read_account,
    read_resend_accepted,
    read_session,
    read_signed_out,
    read_signup_pending,
    read_verified,
    retry_after_seconds,
)

# The outcomes are read in signup_web.answers; the pages and tests import them from here too.
__all__ = [
    "DEFAULT_RETRIES",
    "DEFAULT_TIMEOUT",
    "Account",
    "ApiUnavailable",
    "Rejected",
    "ResendAccepted",
    "Retries",
    "Session",
    "SignedOut",
    "SignupApi",
    "SignupPending",
    "Verified",
    "call_timeout",
    "new_idempotency_key",
]

# API Gateway gives up after 30 s, but the function answers 503 within about
# 10 s when its store is slow (short boto3 timeouts); waiting longer only
# keeps the user staring at a spinner.
CONNECT_SECONDS: Final = 3.0


def call_timeout(seconds: float) -> httpx.Timeout:
    """`seconds` for one attempt's answer; a few for the connection, which is quick or broken."""
    return httpx.Timeout(seconds, connect=min(CONNECT_SECONDS, seconds))


DEFAULT_TIMEOUT: Final = call_timeout(15.0)
# Answers after which the same request may well succeed: the function or the
# gateway failed, or the first attempt with this key is still running (409).
_REPEAT_AFTER: Final = frozenset({500, 502, 503, 504})
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
        return interpret(response, SIGNUP_FIELDS, read_signup_pending)

    async def verify_email(
        self, *, token: str, password: str, for_address: str = ""
    ) -> Verified | Rejected:
        """Confirm the address behind `token` with the sign-up's password; 410 and 400 come back
        as Rejected with their code (`password_mismatch` under the password)."""
        body = {"token": token, "password": password}
        response = await self._send(VERIFY_EMAIL, body, for_address=for_address)
        return interpret(response, ("token", "password"), read_verified)

    async def sign_in(
        self, *, login: str, password: str, for_address: str = ""
    ) -> Session | Rejected:
        """Sign in by username or address; 401 and 403 come back as Rejected, 429 is raised."""
        body = {"login": login, "password": password}
        response = await self._send(SIGN_IN, body, for_address=for_address)
        return interpret(response, ("login", "password"), read_session)

    async def refresh_session(
        self, *, refresh_token: str, for_address: str = ""
    ) -> Session | Rejected:
        """Trade `refresh_token` for new tokens, once; 401 `refresh_token_invalid` as Rejected."""
        body = {"refreshToken": refresh_token}
        response = await self._send(REFRESH_SESSION, body, for_address=for_address)
        return interpret(response, (), read_session)

    async def sign_out(self, *, refresh_token: str, for_address: str = "") -> SignedOut | Rejected:
        """Revoke `refresh_token` (204)."""
        body = {"refreshToken": refresh_token}
        response = await self._send(SIGN_OUT, body, for_address=for_address)
        return interpret(response, (), read_signed_out)

    async def get_me(self, *, access_token: str, for_address: str = "") -> Account | Rejected:
        """The user the access token names; any 401 (expired, revoked) comes back as Rejected."""
        response = await self._send(ME, None, bearer=access_token, for_address=for_address)
        return interpret(response, (), read_account)

    async def resend_verification(
        self, *, email: str, key: str, for_address: str = ""
    ) -> ResendAccepted | Rejected:
        """Ask for a new link for `email`; the answer never says whether one was sent."""
        body = {"email": email}
        response = await self._send(RESEND_VERIFICATION, body, key=key, for_address=for_address)
        return interpret(response, ("email",), read_resend_accepted)

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
            return retry_after_seconds(outcome.headers.get(RETRY_AFTER, "")) or self._retries.pause
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
    return response.status_code == 409 and IN_PROGRESS in problem_codes(json_object(response))
