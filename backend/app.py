"""The HTTP edge: one request in, one response out; every error is mapped here and only here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from backend.errors import (
    DependencyUnavailable,
    IdentityTaken,
    InvalidRequest,
    MailUnavailable,
    TokenExpired,
    TokenInvalid,
)
from backend.request import read_json_object, request_id, route_of
from backend.responses import ok, problem
from backend.routes import CREATE_USER, RESEND_VERIFICATION, VERIFY_EMAIL, Route
from backend.rules import FieldProblem, InvalidFields
from backend.rules.verification import TOKEN_INVALID
from backend.service import Registration, register_user
from backend.verification import resend_verification, verify_email

RETRY_AFTER_SECONDS: Final = "1"
USERNAME_TAKEN: Final = FieldProblem(
    "username", "username_taken", "This username is already taken."
)
TOKEN_EXPIRED: Final = FieldProblem(
    "token", "token_expired", "This link has expired. Ask for a new one."
)
# The same body for every resend, whatever the address's state.
RESEND_ACCEPTED: Final = {
    "status": "accepted",
    "detail": "If this address is waiting for confirmation, a new link is on its way.",
}


@dataclass(frozen=True, slots=True)
class Success:
    """An operation's answer: status, JSON body, and the metrics it counts toward."""

    status: int
    body: Mapping[str, Any]
    metrics: tuple[str, ...]


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


Operation = Callable[[Mapping[str, Any], Registration], Success]
_OPERATIONS: dict[Route, Operation] = {}


def operation(route: Route) -> Callable[[Operation], Operation]:
    """Register the function serving `route` (every route in backend.routes has one)."""

    def register(function: Operation) -> Operation:
        _OPERATIONS[route] = function
        return function

    return register


@operation(CREATE_USER)
def _create_user(event: Mapping[str, Any], deps: Registration) -> Success:
    signup = register_user(read_json_object(event), deps)
    return Success(200, signup.to_json(), ("SignupAccepted", "MailSent"))


@operation(VERIFY_EMAIL)
def _verify_email(event: Mapping[str, Any], deps: Registration) -> Success:
    user = verify_email(read_json_object(event), deps)
    return Success(200, user.to_json(), ("EmailVerified",))


@operation(RESEND_VERIFICATION)
def _resend_verification(event: Mapping[str, Any], deps: Registration) -> Success:
    outcome = resend_verification(read_json_object(event), deps)
    mail = ("MailSent",) if outcome.mailed else ("MailFailed",) if outcome.mail_failed else ()
    return Success(202, RESEND_ACCEPTED, ("ResendAccepted", *mail))


def handle_request(  # noqa: PLR0911 - one answer per kind of failure, all in this one place
    event: Mapping[str, Any], dependencies: Callable[[], Registration]
) -> Outcome:
    """Serve `event`, translating every failure into its HTTP answer."""
    rid = request_id(event)
    name = "request"

    def failure(
        status: int,
        metrics: tuple[str, ...],
        problems: list[FieldProblem],
        *,
        error: BaseException | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Outcome:
        response = problem(status, problems, request_id=rid, headers=headers)
        return Outcome(response, rid, name, metrics, [p.code for p in problems], error)

    retry = {"retry-after": RETRY_AFTER_SECONDS}
    try:
        route = route_of(event)
        name = route.operation
        result = _OPERATIONS[route](event, dependencies())
    except InvalidRequest as exc:
        body_problem = FieldProblem(None, exc.code, exc.message)
        return failure(exc.status, ("RequestRejected",), [body_problem], headers=exc.headers)
    except InvalidFields as exc:
        return failure(400, ("RequestRejected",), list(exc.problems))
    except IdentityTaken:
        return failure(409, ("SignupConflict",), [USERNAME_TAKEN])
    except TokenInvalid:
        return failure(400, ("LinkRejected",), [TOKEN_INVALID])
    except TokenExpired:
        return failure(410, ("LinkExpired",), [TOKEN_EXPIRED])
    except MailUnavailable as exc:
        unsent = FieldProblem(None, "mail_unavailable", "We could not send the mail; retry.")
        return failure(503, ("MailFailed",), [unsent], error=exc, headers=retry)
    except DependencyUnavailable as exc:
        unavailable = FieldProblem(None, "store_unavailable", "Please retry in a moment.")
        return failure(503, ("StoreUnavailable",), [unavailable], error=exc, headers=retry)
    except Exception as exc:  # noqa: BLE001 - a bug: a bare 500 for the client, the traceback for the log
        internal = FieldProblem(None, "internal_error", "Something went wrong on our side.")
        return failure(500, ("InternalError",), [internal], error=exc)
    response = ok(result.body, request_id=rid, status=result.status)
    return Outcome(response, rid, name, result.metrics)
