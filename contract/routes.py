"""The API's surface, stated once: routes, the service's names, the browser (CORS) policy.

Everything else derives from here: the Pulumi routes and Lambda permission
(`infra/components/api.py`), the local gateway's route table, the OpenAPI check, the web
client and the bench. Adding a route is one entry in `ROUTES` plus its
operation in `backend/app.py`. Header names live in `contract/headers.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from contract.headers import AUTHORIZATION, IDEMPOTENCY_KEY, REQUEST_ID, RETRY_AFTER

SERVICE_NAME: Final = "signup"
METRICS_NAMESPACE: Final = "Signup"


@dataclass(frozen=True, slots=True)
class Route:
    """One method on one path, and the operation name its logs and metrics carry."""

    method: str
    path: str
    operation: str
    # Served only with a valid access token: API Gateway's JWT authorizer on
    # AWS, the gateway stand-in locally, check it before the function runs.
    bearer: bool = False

    @property
    def key(self) -> str:
        """API Gateway's route key, e.g. `POST /createUser`."""
        return f"{self.method} {self.path}"


CREATE_USER: Final = Route("POST", "/createUser", "createUser")
VERIFY_EMAIL: Final = Route("POST", "/verifyEmail", "verifyEmail")
RESEND_VERIFICATION: Final = Route("POST", "/resendVerification", "resendVerification")
# Signing in and sessions (issue 22).
SIGN_IN: Final = Route("POST", "/signIn", "signIn")
REFRESH_SESSION: Final = Route("POST", "/refreshSession", "refreshSession")
SIGN_OUT: Final = Route("POST", "/signOut", "signOut")
ME: Final = Route("GET", "/me", "me", bearer=True)
# What makes the stage an OpenID-style issuer that API Gateway's JWT
# authorizer (and any JOSE library) can discover and verify tokens against.
OPENID_CONFIGURATION: Final = Route(
    "GET", "/.well-known/openid-configuration", "openidConfiguration"
)
JWKS: Final = Route("GET", "/.well-known/jwks.json", "jwks")
# Recovering an account and leaving it (issue 23).
FORGOT_PASSWORD: Final = Route("POST", "/forgotPassword", "forgotPassword")
RESET_PASSWORD: Final = Route("POST", "/resetPassword", "resetPassword")
DELETE_ME: Final = Route("DELETE", "/me", "deleteMe", bearer=True)
ROUTES: Final = (
    CREATE_USER,
    VERIFY_EMAIL,
    RESEND_VERIFICATION,
    SIGN_IN,
    REFRESH_SESSION,
    SIGN_OUT,
    ME,
    OPENID_CONFIGURATION,
    JWKS,
    FORGOT_PASSWORD,
    RESET_PASSWORD,
    DELETE_ME,
)
# The page that verification links open (served by the web app, not the API).
VERIFY_PAGE: Final = "/verify"
# The page that password-reset links open; only its form's POST changes anything.
RESET_PAGE: Final = "/reset"
# The page that asks for a reset link (linked from the sign-in page).
FORGOT_PAGE: Final = "/forgot-password"
# The web app's sign-in page and the signed-in account view.
SIGN_IN_PAGE: Final = "/sign-in"
ACCOUNT_PAGE: Final = "/account"


def find_route(method: str, path: str) -> Route | None:
    """The route serving `method` on `path`, if any."""
    return next((r for r in ROUTES if (r.method, r.path) == (method, path)), None)


def methods_on(path: str) -> tuple[str, ...]:
    """The methods some route serves on `path` (empty for an unknown path)."""
    return tuple(sorted({r.method for r in ROUTES if r.path == path}))


@dataclass(frozen=True, slots=True)
class CorsPolicy:
    """What a browser on an allowed origin may send and read; origins are per stage."""

    allow_methods: tuple[str, ...]
    allow_headers: tuple[str, ...]
    expose_headers: tuple[str, ...]
    max_age: int
    allow_credentials: bool = False


CORS: Final = CorsPolicy(
    allow_methods=tuple(sorted({r.method for r in ROUTES})),
    # A browser client may retry its own submission safely with Idempotency-Key,
    # and call GET /me with its bearer token.
    allow_headers=("content-type", IDEMPOTENCY_KEY, AUTHORIZATION),
    # Lets a browser client show the request id and honour Retry-After.
    expose_headers=(REQUEST_ID, RETRY_AFTER),
    max_age=600,
)
