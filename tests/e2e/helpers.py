"""Helpers for the browser tests: who signs up, how the form is filled, what the API saw."""

from __future__ import annotations

import json
from dataclasses import dataclass

import httpx
from playwright.sync_api import Page

from backend.routes import CREATE_USER
from infra.local.process import LocalStageProcess
from tests.support.users import unique_signup


@dataclass(frozen=True)
class Person:
    """Details for one sign-up, unique per test."""

    username: str
    email: str
    password: str


def fill_form(page: Page, person: Person, *, confirmation: str | None = None) -> None:
    """Type into each field by its label, as a person (or a screen reader) finds it."""
    page.get_by_label("Username").fill(person.username)
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password", exact=True).fill(person.password)
    page.get_by_label("Confirm password").fill(
        person.password if confirmation is None else confirmation
    )


def register_directly(stage: LocalStageProcess, username: str, email: str) -> None:
    """Create a user through the API, as another visitor would have."""
    body = unique_signup(username=username, email=email)
    response = httpx.post(f"{stage.api_url}{CREATE_USER.path}", json=body, timeout=30.0)
    assert response.status_code == 200, response.text


def handler_calls(stage: LocalStageProcess) -> int:
    """How many requests reached the Lambda handler: it logs one JSON line per request."""
    count = 0
    for line in stage.log_file.read_text("utf-8", "replace").splitlines():
        if line.startswith("{"):
            try:
                count += json.loads(line).get("message") == CREATE_USER.operation
            except ValueError:
                continue
    return count
