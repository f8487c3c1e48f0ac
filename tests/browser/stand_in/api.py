"""A stand-in for the session API (issues 20 and 22's contract), for the page's own browser tests.

It answers `/verifyEmail` with a password, `/signIn`, `/refreshSession`,
`/signOut`, `GET /me` and `/resendVerification` the way the contract
describes, from a few fixed people, so that every state of the sign-in,
account and verify pages can be reached on purpose (a limit of a quarter
of an hour, a sign-in failing right after a confirmation, an access token
gone stale) without the real stage's clocks and limits. The journeys against
the real API are in tests/browser/test_sign_in.py.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final

from contract import codes
from contract.headers import RETRY_AFTER
from contract.routes import (
    ME,
    REFRESH_SESSION,
    RESEND_VERIFICATION,
    SIGN_IN,
    SIGN_OUT,
    VERIFY_EMAIL,
)

PASSWORD: Final = "invariant ring theory 1918"
# The one link that works; its user is `user` below.
GOOD_TOKEN: Final = "G" * 43
# Logins with a fixed fate: refused for 15 minutes, or waiting for confirmation.
LIMITED_LOGIN: Final = "limited"
PENDING_LOGIN: Final = "pending@example.com"
LIMIT_SECONDS: Final = 900
# Shaped like the real thing (a JWT), so journeys.token_traces would find a leak.
_JWT: Final = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1LTEifQ.c2lnbmF0dXJl"


@dataclass
class StandIn:
    """What the stand-in has issued and been asked; a test may age the access token."""

    user: dict[str, str] = field(
        default_factory=lambda: {
            "userId": "0b9f3f5e-5c1a-4d8e-9f3c-2a7d6c1e4b10",
            "username": "EmmyNoether",
            "email": "emmy@example.com",
            "createdAt": "2026-12-03T08:00:00Z",
            "verifiedAt": "2026-12-03T08:01:00Z",
        }
    )
    access: str = ""
    refresh: str = ""
    issued: int = 0
    asked: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def expire_access_token(self) -> None:
        """As if the access token's few minutes had passed."""
        with self.lock:
            self.access = "expired"

    def answer(self, method: str, path: str, body: dict[str, Any], bearer: str) -> _Answer:
        """The contract's answer to one request."""
        with self.lock:
            self.asked.append(f"{method} {path}")
            if (method, path) == (ME.method, ME.path):
                if self.access and bearer == self.access:
                    return _Answer(200, self.user)
                return _Answer(401, {"message": "Unauthorized"}, {"WWW-Authenticate": "Bearer"})
            handler = _ROUTES.get(path)
            return handler(self, body) if handler else _problem(404, codes.ROUTE_NOT_FOUND)

    def _verify(self, body: dict[str, Any]) -> _Answer:
        if body.get("token") != GOOD_TOKEN:
            return _problem(400, codes.TOKEN_INVALID, "token")
        if body.get("password") != PASSWORD:
            return _problem(400, codes.PASSWORD_MISMATCH, "password")
        return _Answer(200, self.user)

    def _sign_in(self, body: dict[str, Any]) -> _Answer:
        login, right = str(body.get("login", "")).casefold(), body.get("password") == PASSWORD
        if login == LIMITED_LOGIN:
            return _problem(429, codes.RATE_LIMITED, headers={RETRY_AFTER: str(LIMIT_SECONDS)})
        if login == PENDING_LOGIN and right:
            return _problem(403, codes.EMAIL_UNVERIFIED)
        known = {self.user["username"].casefold(), self.user["email"].casefold()}
        return (
            self._tokens() if login in known and right else _problem(401, codes.CREDENTIALS_INVALID)
        )

    def _refresh(self, body: dict[str, Any]) -> _Answer:
        if self.refresh and body.get("refreshToken") == self.refresh:
            return self._tokens()
        return _problem(401, codes.REFRESH_TOKEN_INVALID)

    def _sign_out(self, _: dict[str, Any]) -> _Answer:
        self.access = self.refresh = ""
        return _Answer(204, None)

    def _resend(self, _: dict[str, Any]) -> _Answer:
        return _Answer(202, {"status": "accepted", "detail": "A new link is on its way."})

    def _tokens(self) -> _Answer:
        self.issued += 1
        self.access, self.refresh = f"{_JWT}{self.issued}", f"refresh-{self.issued}"
        body = {"accessToken": self.access, "tokenType": "Bearer", "expiresIn": 900}
        return _Answer(200, {**body, "refreshToken": self.refresh})


@dataclass(frozen=True)
class _Answer:
    status: int
    body: dict[str, Any] | None
    headers: dict[str, str] = field(default_factory=dict)


def _problem(
    status: int, code: str, name: str | None = None, headers: dict[str, str] | None = None
) -> _Answer:
    error = {"field": name, "code": code, "message": f"The stand-in says {code}."}
    body = {"type": "about:blank", "title": code, "status": status, "detail": code}
    return _Answer(status, {**body, "requestId": "stand-in", "errors": [error]}, headers or {})


_ROUTES: Final = {
    VERIFY_EMAIL.path: StandIn._verify,
    SIGN_IN.path: StandIn._sign_in,
    REFRESH_SESSION.path: StandIn._refresh,
    SIGN_OUT.path: StandIn._sign_out,
    RESEND_VERIFICATION.path: StandIn._resend,
}


@contextmanager
def serving(stand_in: StandIn) -> Iterator[str]:
    """Serve `stand_in` on a free 127.0.0.1 port; yield its URL."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: object) -> None:
            """Quiet: the tests read `stand_in.asked` instead."""

        def do_GET(self) -> None:
            self._reply({})

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            self._reply(json.loads(self.rfile.read(length) or b"{}"))

        def _reply(self, body: dict[str, Any]) -> None:
            bearer = self.headers.get("authorization", "").removeprefix("Bearer ")
            answer = stand_in.answer(self.command, self.path, body, bearer)
            data = b"" if answer.body is None else json.dumps(answer.body).encode()
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            if data:
                self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
