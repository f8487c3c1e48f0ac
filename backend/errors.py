"""Failures of a registration beyond the pure rules; the handler maps each to one HTTP answer."""

from __future__ import annotations


class RegistrationError(Exception):
    """Base for the failures a client is told about."""


class BadRequestBody(RegistrationError):
    """The request never reached the rules: wrong route, media type, size or JSON."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message


class IdentityTaken(RegistrationError):
    """The username, the email or both already belong to someone."""

    def __init__(self, fields: tuple[str, ...]) -> None:
        super().__init__(", ".join(fields))
        self.fields = fields


class StoreUnavailable(RegistrationError):
    """The users table was throttled, in conflict or out of reach; the client may retry."""
