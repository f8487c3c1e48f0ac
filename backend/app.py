"""The HTTP edge: one request in, one response out; every error is mapped here and only here."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from dataclasses import dataclass, field
from typing import Any, Final

from backend import idempotency
from backend.account_routes import ACCOUNT_ROUTES, serve_account_route
from backend.client_address import client_address, serving_client
from backend.email_verification import resend_verification, verify_email
from backend.errors import (
    CredentialsInvalid,
    DependencyUnavailable,
    EmailUnverified,
    IdempotencyKeyReused,
    IdentityTaken,
    InvalidRequest,
    NotAuthenticated,
    PasswordMismatch,
    RateLimited,
    RefreshTokenInvalid,
    RequestInProgress,
    TokenExpired,
    TokenInvalid,
)
from backend.idempotency import IdempotentRequests
from backend.password_reset import forgot_password
from backend.request import header, read_json_object, request_id, route_of
from backend.responses import ok, problem
from backend.session_routes import SESSION_OPERATIONS, serve_session_route
from backend.sessions import Sessions
from backend.sign_up import Registration, register_user
from backend.store.accounts import DynamoDBAccountStore
from backend.store.counters import RateLimiter, counting_address
from contract import codes
from contract.headers import IDEMPOTENCY_KEY, RETRY_AFTER, WWW_AUTHENTICATE
from contract.limits import RateLimit
from contract.routes import (
    CREATE_USER,
    FORGOT_PASSWORD,
    RESEND_VERIFICATION,
    VERIFY_EMAIL,
    Route,
)
from contract.rules import FieldProblem, InvalidFields
from contract.rules.link_requests import TOKEN_INVALID

RETRY_AFTER_SECONDS: Final = "1"
USERNAME_TAKEN: Final = FieldProblem(
    "username", codes.USERNAME_TAKEN, "This username is already taken."
)
TOKEN_EXPIRED: Final = FieldProblem(
    "token", codes.TOKEN_EXPIRED, "This link has expired. Ask for a new one."
)
PASSWORD_MISMATCH: Final = FieldProblem(
    "password",
    codes.PASSWORD_MISMATCH,
    "This is not the password chosen when signing up with this address.",
)
# The same body for every resend, whatever the address's state.
RESEND_ACCEPTED: Final = {
    "status": "accepted",
    "detail": "If this address is waiting for confirmation, a new link is on its way.",
}

# The same body for every forgot-password request, whatever the address's state.
FORGOT_ACCEPTED: Final = {
    "status": "accepted",
    "detail": "If this address belongs to an account, a link to reset its password is on its way.",
}

RATE_LIMITED: Final = FieldProblem(None, codes.RATE_LIMITED, "Too many requests; wait and retry.")
KEY_REUSED: Final = FieldProblem(
    None, codes.IDEMPOTENCY_KEY_REUSED, "This Idempotency-Key was used for another request."
)
IN_PROGRESS: Final = FieldProblem(
    None, codes.REQUEST_IN_PROGRESS, "The first request with this Idempotency-Key is still running."
)
# One answer for every failed sign-in: it never says which part was wrong.
CREDENTIALS_INVALID: Final = FieldProblem(
    None, codes.CREDENTIALS_INVALID, "The login or the password is not right."
)
EMAIL_UNVERIFIED: Final = FieldProblem(
    None, codes.EMAIL_UNVERIFIED, "Confirm your email address first: follow the link we mailed."
)
REFRESH_TOKEN_INVALID: Final = FieldProblem(
    "refreshToken", codes.REFRESH_TOKEN_INVALID, "This session has ended; sign in again."
)
# RFC 9110 asks every 401 to name its scheme (RFC 6750 for bearer tokens).
BEARER_CHALLENGE: Final = {WWW_AUTHENTICATE: "Bearer"}
INVALID_TOKEN_CHALLENGE: Final = {WWW_AUTHENTICATE: 'Bearer error="invalid_token"'}


@dataclass(frozen=True, slots=True)
class Dependencies:
    """What a request needs, built once per container."""

    registration: Registration
    idempotency: IdempotentRequests
    # None when limits are turned off (benchmarks only).
    limiter: RateLimiter | None
    address_limit: RateLimit
    # The stage's web server forwards browsers' addresses with this secret.
    web_secret: bytes | None = field(default=None, repr=False)
    # Signing in and sessions; None on a stage without a signing key.
    sessions: Sessions | None = None
    # Resetting passwords and deleting accounts (the same table).
    accounts: DynamoDBAccountStore | None = None
    # Threads that count a sign-up's or a resend's client address while the
    # request reads what it needs (None: counted before the request is served).
    counters: ThreadPoolExecutor | None = None


@dataclass(frozen=True, slots=True)
class Success:
    """An operation's answer: status, JSON body, and the metrics it counts toward."""

    status: int
    body: Mapping[str, Any]
    metrics: tuple[str, ...]
    headers: Mapping[str, str] = field(default_factory=dict)

    def remembered(self) -> idempotency.Answer:
        """What an idempotent retry gets back: the body as JSON text, so its bytes are the same."""
        return {"status": self.status, "body": json.dumps(self.body, ensure_ascii=False)}


@dataclass(frozen=True, slots=True)
class Outcome:
    """The response plus what the request log and metrics record about it."""

    response: dict[str, Any]
    request_id: str
    operation: str
    metrics: tuple[str, ...]
    codes: list[str] = field(default_factory=list)
    # Kept for the log line (never for the client): the cause of a 5xx.
    error: BaseException | None = None


Operation = Callable[[Mapping[str, object], Registration], Success]
_OPERATIONS: dict[Route, Operation] = {}


def operation(route: Route) -> Callable[[Operation], Operation]:
    """Register the function serving `route` (every route in contract.routes has one)."""

    def register(function: Operation) -> Operation:
        _OPERATIONS[route] = function
        return function

    return register


@operation(CREATE_USER)
def _create_user(payload: Mapping[str, object], deps: Registration) -> Success:
    signup = register_user(payload, deps)
    return Success(200, signup.to_json(), ("SignupAccepted",))


@operation(VERIFY_EMAIL)
def _verify_email(payload: Mapping[str, object], deps: Registration) -> Success:
    user = verify_email(payload, deps)
    # EmailVerified counts users: the same link clicked again answers alike but counts apart.
    counted = "EmailVerified" if user.just_verified else "EmailVerifiedAgain"
    return Success(200, user.to_json(), (counted,))


@operation(RESEND_VERIFICATION)
def _resend_verification(payload: Mapping[str, object], deps: Registration) -> Success:
    resend_verification(payload, deps)
    return Success(202, RESEND_ACCEPTED, ("ResendAccepted",))


@operation(FORGOT_PASSWORD)
def _forgot_password(payload: Mapping[str, object], deps: Registration) -> Success:
    forgot_password(payload, deps)
    return Success(202, FORGOT_ACCEPTED, ("ResetRequested",))


def _count_client(address: str, deps: Dependencies) -> tuple[str, ...]:
    """Count the request against its client address; the metrics to add when that failed."""
    if deps.limiter is None:
        return ()
    try:
        deps.limiter.hit("address", address, deps.address_limit)
    except DependencyUnavailable:
        # Fails open: a counter that cannot be written must not refuse every
        # sign-up; the stage's API throttle still bounds the load, and the
        # request itself needs the same table right after.
        return ("RateLimitUnavailable",)
    return ()


# Routes whose per-identifier counters run beside their reads (backend.store.counters): the
# address's counter joins them, so it costs no round trip of its own. Any other
# route's address is counted before it is served.
_COUNTED_ALONGSIDE: Final = frozenset({CREATE_USER, RESEND_VERIFICATION})


def _serve_counted(
    route: Route, event: Mapping[str, Any], deps: Dependencies, context: Any, address: str
) -> tuple[Success, tuple[str, ...]]:
    """Serve the request and count its client address; the metrics the count adds."""
    if deps.limiter is None or deps.counters is None or route not in _COUNTED_ALONGSIDE:
        extra = _count_client(address, deps)
        return _serve(route, event, deps, context), extra
    counted = deps.counters.submit(copy_context().run, _count_client, address, deps)
    with counting_address(counted):
        try:
            result = _serve(route, event, deps, context)
        except (InvalidRequest, InvalidFields):
            counted.result()  # a client over its limit hears 429, whatever it sent
            raise
    return result, counted.result()


def _serve(route: Route, event: Mapping[str, Any], deps: Dependencies, context: Any) -> Success:
    if route in SESSION_OPERATIONS:
        status, body, metrics, headers = serve_session_route(
            route, event, deps.sessions, web_secret=deps.web_secret
        )
        return Success(status, body, metrics, headers)
    if route in ACCOUNT_ROUTES:
        status, body, metrics, headers = serve_account_route(
            route,
            event,
            registration=deps.registration,
            accounts=deps.accounts,
            sessions=deps.sessions,
            web_secret=deps.web_secret,
        )
        return Success(status, body, metrics, headers)
    payload = read_json_object(event)
    key = header(event, IDEMPOTENCY_KEY)
    if key is None:
        return _OPERATIONS[route](payload, deps.registration)
    if not idempotency.is_valid_key(key):
        message = "Idempotency-Key must be 1 to 255 printable ASCII characters."
        raise InvalidRequest(400, codes.IDEMPOTENCY_KEY_INVALID, message)
    done: list[Success] = []

    def work() -> idempotency.Answer:
        done.append(_OPERATIONS[route](payload, deps.registration))
        return done[0].remembered()

    answer = deps.idempotency.remember(route, key, payload, context, work)
    if done:
        return done[0]
    return Success(answer["status"], json.loads(answer["body"]), ("IdempotentReplay",))


def handle_request(  # noqa: PLR0911, PLR0912 - one answer per kind of failure, all in this one place
    event: Mapping[str, Any], dependencies: Callable[[], Dependencies], context: Any = None
) -> Outcome:
    """Serve `event`, translating every failure into its HTTP answer."""
    rid = request_id(event)
    name = "request"
    extra: tuple[str, ...] = ()

    def failure(
        status: int,
        metrics: tuple[str, ...],
        problems: list[FieldProblem],
        *,
        error: BaseException | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Outcome:
        response = problem(status, problems, request_id=rid, headers=headers)
        codes = [p.code for p in problems]
        return Outcome(response, rid, name, metrics + extra, codes, error)

    retry = {RETRY_AFTER: RETRY_AFTER_SECONDS}
    try:
        route = route_of(event)
        name = route.operation
        deps = dependencies()
        address = client_address(event, web_secret=deps.web_secret)
        with serving_client(address):
            result, extra = _serve_counted(route, event, deps, context, address)
    except InvalidRequest as exc:
        body_problem = FieldProblem(None, exc.code, exc.message)
        return failure(exc.status, ("RequestRejected",), [body_problem], headers=exc.headers)
    except InvalidFields as exc:
        return failure(400, ("RequestRejected",), list(exc.problems))
    except RateLimited as exc:
        wait = {RETRY_AFTER: str(exc.retry_after)}
        return failure(429, (exc.metric,), [RATE_LIMITED], headers=wait)
    except IdempotencyKeyReused:
        return failure(422, ("RequestRejected",), [KEY_REUSED])
    except RequestInProgress:
        return failure(409, ("RequestInProgress",), [IN_PROGRESS], headers=retry)
    except IdentityTaken:
        return failure(409, ("SignupConflict",), [USERNAME_TAKEN])
    except CredentialsInvalid:
        return failure(401, ("SignInFailed",), [CREDENTIALS_INVALID], headers=BEARER_CHALLENGE)
    except EmailUnverified:
        return failure(403, ("SignInFailed",), [EMAIL_UNVERIFIED])
    except RefreshTokenInvalid:
        challenge = BEARER_CHALLENGE
        return failure(401, ("RefreshRejected",), [REFRESH_TOKEN_INVALID], headers=challenge)
    except NotAuthenticated:
        unknown = FieldProblem(None, codes.CREDENTIALS_INVALID, "Sign in again.")
        return failure(401, ("TokenRejected",), [unknown], headers=INVALID_TOKEN_CHALLENGE)
    except TokenInvalid:
        return failure(400, ("LinkRejected",), [TOKEN_INVALID])
    except TokenExpired:
        return failure(410, ("LinkExpired",), [TOKEN_EXPIRED])
    except PasswordMismatch:
        return failure(400, ("PasswordMismatch",), [PASSWORD_MISMATCH])
    except DependencyUnavailable as exc:
        unavailable = FieldProblem(None, codes.STORE_UNAVAILABLE, "Please retry in a moment.")
        return failure(503, ("StoreUnavailable",), [unavailable], error=exc, headers=retry)
    except Exception as exc:  # noqa: BLE001 - a bug: a bare 500 for the client, the traceback for the log
        internal = FieldProblem(None, codes.INTERNAL_ERROR, "Something went wrong on our side.")
        return failure(500, ("InternalError",), [internal], error=exc)
    response = ok(result.body, request_id=rid, status=result.status, headers=result.headers)
    return Outcome(response, rid, name, result.metrics + extra)
