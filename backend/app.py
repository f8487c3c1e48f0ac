"""The HTTP edge: one request in, one response out; every error is mapped here and only here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from backend.errors import BadRequestBody, IdentityTaken, StoreUnavailable
from backend.hashing import PasswordHasher
from backend.request import read_signup_body, request_id
from backend.responses import ok, problem
from backend.rules import FieldProblem, InvalidSignup, PasswordPolicy
from backend.service import register_user
from backend.store import UserStore

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
class Outcome:
    """The response plus what the request log and metrics record about it."""

    response: dict[str, Any]
    request_id: str
    metric: str
    codes: list[str] = field(default_factory=list)
    # Kept for the log line (never for the client): the cause of a 5xx.
    error: BaseException | None = None


def _failure(
    status: int,
    metric: str,
    problems: list[FieldProblem],
    rid: str,
    *,
    error: BaseException | None = None,
    headers: Mapping[str, str] | None = None,
) -> Outcome:
    response = problem(status, problems, request_id=rid, headers=headers)
    return Outcome(response, rid, metric, [p.code for p in problems], error)


def handle_request(event: Mapping[str, Any], dependencies: Callable[[], Dependencies]) -> Outcome:
    """Register the user in `event`, translating every failure into its HTTP answer."""
    rid = request_id(event)
    try:
        payload = read_signup_body(event)
        deps = dependencies()
        user = register_user(payload, policy=deps.policy, hasher=deps.hasher, store=deps.store)
    except BadRequestBody as exc:
        allow = {"allow": "POST"} if exc.status == 405 else None
        body_problem = FieldProblem(None, exc.code, exc.message)
        return _failure(exc.status, "RequestRejected", [body_problem], rid, headers=allow)
    except InvalidSignup as exc:
        return _failure(400, "SignupRejected", list(exc.problems), rid)
    except IdentityTaken as exc:
        return _failure(409, "SignupConflict", [_TAKEN[name] for name in exc.fields], rid)
    except StoreUnavailable as exc:
        unavailable = FieldProblem(None, "store_unavailable", "Please retry in a moment.")
        retry = {"retry-after": RETRY_AFTER_SECONDS}
        return _failure(503, "StoreUnavailable", [unavailable], rid, error=exc, headers=retry)
    except Exception as exc:  # noqa: BLE001 - a bug: a bare 500 for the client, the traceback for the log
        internal = FieldProblem(None, "internal_error", "Something went wrong on our side.")
        return _failure(500, "InternalError", [internal], rid, error=exc)
    return Outcome(ok(user.to_json(), request_id=rid), rid, "UserRegistered")
