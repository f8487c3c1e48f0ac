"""What can go wrong with a request, as one small tree; `backend/app.py` maps each to HTTP."""

from __future__ import annotations

from collections.abc import Mapping


class RegistrationError(Exception):
    """Base for every failure a client is told about."""


class InvalidRequest(RegistrationError):
    """The HTTP request cannot be served as sent: route, method, media type, size or JSON."""

    def __init__(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


class IdentityTaken(RegistrationError):
    """The username (public, so a sign-up may say so) already belongs to someone."""

    def __init__(self, fields: tuple[str, ...]) -> None:
        super().__init__(", ".join(fields))
        self.fields = fields


class DependencyUnavailable(RegistrationError):
    """Something the request needs failed or was too slow; the same request may work later."""


class StoreUnavailable(DependencyUnavailable):
    """The users table was throttled, in conflict or out of reach."""


class SecretUnavailable(DependencyUnavailable):
    """The pepper's SSM parameter could not be read."""


class OutOfTime(DependencyUnavailable):
    """Too little of the invocation is left to start another call to AWS."""


class MailUnavailable(DependencyUnavailable):
    """The mail could not be handed to SES (or written to the local outbox); the worker retries."""


class TokenInvalid(RegistrationError):
    """The verification link is unknown, superseded by a newer one, or malformed."""


class PasswordMismatch(RegistrationError):
    """The password typed with a link is not the one its sign-up chose."""


class TokenExpired(RegistrationError):
    """The verification link was real but its time is up."""


class RateLimited(RegistrationError):
    """Too many requests from this client, or for this identifier, in the current window."""

    def __init__(self, scope: str, retry_after: int, metric: str | None = None) -> None:
        super().__init__(f"{scope} limit")
        self.scope = scope
        self.retry_after = retry_after
        # The metric it counts toward; by default one per scope.
        self.metric = metric or f"RateLimited{scope.title()}"


class IdempotencyKeyReused(RegistrationError):
    """The same Idempotency-Key came with a different request."""


class RequestInProgress(RegistrationError):
    """The first request with this Idempotency-Key is still running."""


class ClaimChanged(Exception):
    """A claim changed between reading it and writing; read again and decide again."""


# ---- signing in and sessions -------------------------------------------------
class SigningUnavailable(DependencyUnavailable):
    """KMS could not sign the access token (or give its public key) just now."""


class CredentialsInvalid(RegistrationError):
    """The login and password do not name a person; the same for every reason why."""


class EmailUnverified(RegistrationError):
    """The password is right but the address was never confirmed."""


class RefreshTokenInvalid(RegistrationError):
    """The refresh token is unknown, expired, revoked or already used."""


class NotAuthenticated(RegistrationError):
    """No verified token came with the request, or its subject no longer exists."""


# ---- deleting an account -----------------------------------------------------
class ItemsLeftBehind(Exception):
    """A deleted account's sessions, links or counters were not all removed; TTL takes the rest.

    Never told to the client: the account is gone either way. `cause` is an
    error code or class name, `left` how many items remain (None: unknown).
    """

    def __init__(self, cause: str, left: int | None = None) -> None:
        super().__init__(cause)
        self.cause = cause
        self.left = left
