"""Black-box checks any stage must pass; they only ever create uniquely named users."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from contract.routes import CREATE_USER, RESEND_VERIFICATION, VERIFY_EMAIL
from tests.support.users import unique_signup

pytestmark = [pytest.mark.smoke, pytest.mark.slow]

PROBLEM_JSON = "application/problem+json"


# SES's mailbox simulator: it accepts mail in the sandbox and in production,
# and mail to it counts against neither the quota nor the account's
# reputation, so the smoke suite never mails a stranger.
SIMULATOR = "success+{tag}@simulator.amazonses.com"


def new_user() -> dict[str, str]:
    """A sign-up nobody else can have sent: a fresh random tag in every field."""
    body = unique_signup("smoke-")
    return {**body, "email": SIMULATOR.format(tag=body["username"])}


def register(api: httpx.Client, body: dict[str, Any]) -> httpx.Response:
    """POST /createUser with a JSON body."""
    return api.post(CREATE_USER.path, json=body)


def error_codes(response: httpx.Response) -> list[str]:
    """The `code` of every entry in a problem+json `errors` list."""
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    return [error["code"] for error in response.json()["errors"]]


def test_register_unique_user_is_pending_verification(api: httpx.Client) -> None:
    user = new_user()
    response = register(api, user)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"username", "email", "status", "expiresAt"}
    assert (body["username"], body["email"]) == (user["username"], user["email"])
    assert body["status"] == "pending_verification"


def test_register_duplicate_username_is_409_username_taken(api: httpx.Client) -> None:
    first = new_user()
    assert register(api, first).status_code == 200
    again = {**new_user(), "username": first["username"].upper()}
    response = register(api, again)
    assert response.status_code == 409
    assert error_codes(response) == ["username_taken"]


def test_register_same_address_again_is_200_never_email_taken(api: httpx.Client) -> None:
    first = new_user()
    assert register(api, first).status_code == 200
    again = {**new_user(), "email": first["email"]}
    response = register(api, again)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "pending_verification"


def test_verify_unknown_token_is_400_token_invalid(api: httpx.Client) -> None:
    body = {"token": "A" * 43, "password": "correct horse battery staple"}
    response = api.post(VERIFY_EMAIL.path, json=body)
    assert response.status_code == 400
    assert error_codes(response) == ["token_invalid"]


def test_resend_verification_is_202(api: httpx.Client) -> None:
    response = api.post(RESEND_VERIFICATION.path, json={"email": new_user()["email"]})
    assert response.status_code == 202


def test_register_short_password_is_400_problem(api: httpx.Client) -> None:
    response = register(api, {**new_user(), "password": "short"})
    assert response.status_code == 400
    assert "password_too_short" in error_codes(response)
    assert response.json()["status"] == 400


def test_register_invalid_json_is_400_body_invalid_json(api: httpx.Client) -> None:
    headers = {"content-type": "application/json"}
    response = api.post(CREATE_USER.path, content=b'{"username": ', headers=headers)
    assert response.status_code == 400
    assert error_codes(response) == ["body_invalid_json"]


def test_cors_preflight_from_allowed_origin(api: httpx.Client, allowed_origin: str) -> None:
    response = api.options(
        CREATE_USER.path,
        headers={
            "origin": allowed_origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] in (allowed_origin, "*")
    assert "POST" in response.headers["access-control-allow-methods"].upper()
    assert "content-type" in response.headers["access-control-allow-headers"].lower()
