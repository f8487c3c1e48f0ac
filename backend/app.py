"""The HTTP edge: one request in, one response out; every error is mapped here and only here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from backend.errors import DependencyUnavailable, IdentityTaken, InvalidRequest
from backend.hashing import PasswordHasher
from backend.request import read_json_object, request_id, route_of
from backend.responses import ok, problem
from backend.routes import CREATE_USER, Route
from backend.rules import FieldProblem, InvalidSignup, PasswordPolicy
from backend.service import UserStore, register_user

RETRY_AFTER_SECONDS: Final = "1"
_TAKEN: Final = {
    "username": FieldProblem("username", "username_taken", "This username is already taken."),
    "email": FieldProblem("email", "email_taken", "This email address is already registered."),
}


@dataclass(frozen=True, slots=True)
class Dependencies:
    """What a request needs, built once per container."""

    policy: PasswordPolicy
    hasher: PasswordHasher
    store: UserStore


@dataclass(frozen=True, slots=True)
class Success:
    """An operation's answer: status, JSON body, and the metric it counts toward."""

    status: int
    body: dict[str, Any]
    metric: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """The response plus what the request log and metrics record about it."""

    response: dict[str, Any]
    request_id: str
    operation: str
    metric: str
    codes: list[str] = field(default_factory=list)
    # Kept for the log line (never for the client): the cause of a 5xx.
    error: BaseException | None = None


Operation = Callable[[Mapping[str, Any], Dependencies], Success]
_OPERATIONS: dict[Route, Operation] = {}


def operation(route: Route) -> Callable[[Operation], Operation]:
    """Register the function serving `route` (every route in backend.routes has one)."""

    def register(function: Operation) -> Operation:
        _OPERATIONS[route] = function
        return function

    return register


@operation(CREATE_USER)
def _create_user(event: Mapping[str, Any], deps: Dependencies) -> Success:
    payload = read_json_object(event)
    user = register_user(payload, policy=deps.policy, hasher=deps.hasher, store=deps.store)
    return Success(200, user.to_json(), "UserRegistered")


def handle_request(event: Mapping[str, Any], dependencies: Callable[[], Dependencies]) -> Outcome:
    """Serve `event`, translating every failure into its HTTP answer."""
    rid = request_id(event)
    name = "request"

    def failure(
        status: int,
        metric: str,
        problems: list[FieldProblem],
        *,
        error: BaseException | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Outcome:
        response = problem(status, problems, request_id=rid, headers=headers)
        return Outcome(response, rid, name, metric, [p.code for p in problems], error)

    try:
        route = route_of(event)
        name = route.operation
        result = _OPERATIONS[route](event, dependencies())
    except InvalidRequest as exc:
        body_problem = FieldProblem(None, exc.code, exc.message)
        return failure(exc.status, "RequestRejected", [body_problem], headers=exc.headers)
    except InvalidSignup as exc:
        return failure(400, "SignupRejected", list(exc.problems))
    except IdentityTaken as exc:
        return failure(409, "SignupConflict", [_TAKEN[taken] for taken in exc.fields])
    except DependencyUnavailable as exc:
        unavailable = FieldProblem(None, "store_unavailable", "Please retry in a moment.")
        retry = {"retry-after": RETRY_AFTER_SECONDS}
        return failure(503, "StoreUnavailable", [unavailable], error=exc, headers=retry)
    except Exception as exc:  # noqa: BLE001 - a bug: a bare 500 for the client, the traceback for the log
        internal = FieldProblem(None, "internal_error", "Something went wrong on our side.")
        return failure(500, "InternalError", [internal], error=exc)
    response = ok(result.body, request_id=rid, status=result.status)
    return Outcome(response, rid, name, result.metric)
