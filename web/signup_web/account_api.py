"""The API calls of recovering an account and leaving it, through SignupApi's one sender.

Asking for a reset link carries the submission's Idempotency-Key (repeating
it is safe); setting the password and deleting the account are sent once: a
reset link works once, and a deletion's repeat would find nobody.
"""

from __future__ import annotations

from contract.routes import DELETE_ME, FORGOT_PASSWORD, RESET_PASSWORD
from signup_web.answers import (
    Rejected,
    ResendAccepted,
    SignedOut,
    interpret,
    read_resend_accepted,
    read_signed_out,
)
from signup_web.api import SignupApi


async def forgot_password(
    api: SignupApi, *, email: str, key: str, for_address: str = ""
) -> ResendAccepted | Rejected:
    """Ask for a reset link for `email`; the answer never says whether one was sent."""
    response = await api._send(FORGOT_PASSWORD, {"email": email}, key=key, for_address=for_address)
    return interpret(response, ("email",), read_resend_accepted)


async def reset_password(
    api: SignupApi, *, token: str, password: str, for_address: str = ""
) -> SignedOut | Rejected:
    """Set the new password with the link's token (204); 400 and 410 come back as Rejected."""
    body = {"token": token, "password": password}
    response = await api._send(RESET_PASSWORD, body, for_address=for_address)
    return interpret(response, ("token", "password"), read_signed_out)


async def delete_account(
    api: SignupApi, *, access_token: str, password: str, for_address: str = ""
) -> SignedOut | Rejected:
    """Delete the signed-in account (204); a wrong password (401) comes back as Rejected."""
    response = await api._send(
        DELETE_ME, {"password": password}, bearer=access_token, for_address=for_address
    )
    return interpret(response, ("password",), read_signed_out)
