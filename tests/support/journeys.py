"""Helpers for the browser tests: who signs up, how the form is filled, what the stage saw."""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import Page

from backend.store.items import email_pk, token_pk
from contract.routes import CREATE_USER, SIGN_IN_PAGE
from contract.rules import email_key
from contract.tokens import token_digest
from infra.local import dynamodb_local
from infra.local.console import operation_of
from tests.support.browser import wait_until_hydrated
from tests.support.mailbox import read_outbox, token_in
from tests.support.stage import REGION, TABLE, table_items
from tests.support.stage_process import LocalStageProcess
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


def confirm_with_password(page: Page, link: str, password: str) -> None:
    """Open a mailed link and confirm it with the sign-up's password, as a person would."""
    page.goto(link)
    page.get_by_label("Password", exact=True).fill(password)
    page.locator("#confirm:not([disabled])").click()


def sign_in(page: Page, login: str, password: str) -> None:
    """Open the sign-in page and sign in with `login` (username or address) and `password`."""
    page.goto(SIGN_IN_PAGE)
    wait_until_hydrated(page, "sign-in")
    page.get_by_label("Username or email address").fill(login)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


# A JWT (three base64url parts, the first a JSON header) and the API's token field names.
_TOKEN_TRACES = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+|accessToken|refreshToken|Bearer ")


def token_traces(page: Page, frames: list[str]) -> list[str]:
    """Whatever looks like a session token in what the browser holds or was sent.

    The page's HTML, localStorage, sessionStorage, cookies and every websocket
    frame the Reflex backend sent (`frames`, collected by the test).
    """
    stores = page.evaluate(
        "() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])"
    )
    cookies = json.dumps(page.context.cookies())
    places = [page.content(), str(stores), cookies, *frames]
    return [found for place in places for found in _TOKEN_TRACES.findall(place)]


def focused_id(page: Page) -> str:
    """The id of the element that has keyboard focus ("" for <body>)."""
    return str(page.evaluate("document.activeElement ? document.activeElement.id : ''"))


def register_directly(
    stage: LocalStageProcess, username: str, email: str, password: str | None = None
) -> None:
    """Create a user through the API, as another visitor would have."""
    body = unique_signup(username=username, email=email)
    if password is not None:
        body["password"] = password
    response = httpx.post(f"{stage.api_url}{CREATE_USER.path}", json=body, timeout=30.0)
    assert response.status_code == 200, response.status_code


def handler_calls(stage: LocalStageProcess) -> int:
    """How many sign-ups reached the Lambda handler: the stage prints one line per request."""
    lines = stage.log_file.read_text("utf-8", "replace").splitlines()
    return sum(operation_of(line) == CREATE_USER.operation for line in lines)


# How long the mail worker may take to write a mail after the answer (locally ~20 ms).
MAIL_SECONDS: Final = 15.0


def mails_to(outbox: Path, address: str) -> list[EmailMessage]:
    """The mails the stage wrote for `address`, oldest first."""
    return [mail for mail in read_outbox(outbox) if mail["To"] == address]


def verify_link(outbox: Path, address: str, web_url: str, *, nth: int = 1) -> str:
    """The link in the newest verification mail to `address`, checked to open the web UI,
    once at least `nth` have been written (the mail worker sends after the answer)."""
    links = _await(lambda: [m for m in mails_to(outbox, address) if "verify?token=" in str(m)], nth)
    assert links, "no verification mail"
    link = f"{web_url}/verify?token={token_in(links[-1])}"
    text = links[-1].get_body(preferencelist=("plain",))
    assert text is not None and link in text.get_content(), "the mail links elsewhere"
    return link


def await_mails(outbox: Path, address: str, count: int) -> list[EmailMessage]:
    """The mails to `address` once at least `count` have been written (or what there is
    after MAIL_SECONDS): the mail worker sends after the answer."""
    return _await(lambda: mails_to(outbox, address), count)


def _await(
    found: Callable[[], list[EmailMessage]], count: int, timeout: float = MAIL_SECONDS
) -> list[EmailMessage]:
    deadline = time.monotonic() + timeout
    while len(mails := found()) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return mails


def user_status(stage: LocalStageProcess, username: str) -> str:
    """The stored status (`pending`, `verified`) of the user with this display name."""
    # Only the statuses leave the scan: a failed assertion must not show a hash.
    statuses = [
        str(item["status"]["S"])
        for pk, item in table_items(stage).items()
        if pk.startswith("USER#") and item["username"]["S"] == username
    ]
    assert len(statuses) == 1, statuses
    return statuses[0]


def expire_link(stage: LocalStageProcess, link: str, email: str) -> None:
    """Move the link's end, and its last mail, into the past, as the clock would have."""
    token = link.rpartition("token=")[2]
    now = int(time.time())
    ddb = dynamodb_local.client(stage.dynamodb_endpoint, REGION)
    for pk, name, value in (
        (token_pk(token_digest(token)), "validUntil", now - 1),
        (email_pk(email_key(email)), "mailedAt", now - 3600),
    ):
        ddb.update_item(
            TableName=TABLE,
            Key={"pk": {"S": pk}},
            UpdateExpression="SET #n = :v",
            ExpressionAttributeNames={"#n": name},
            ExpressionAttributeValues={":v": {"N": str(value)}},
        )


@contextmanager
def silent_api(stage: LocalStageProcess) -> Iterator[None]:
    """Stop the stage and hold its port open without answering: a request hangs until exit.

    On exit the port closes, so the hanging request fails as unreachable; the
    stage stays stopped (start it again to bring the API back).
    """
    port = urlsplit(stage.api_url).port
    assert port is not None
    stage.stop()
    # Connections queue in the backlog and are never accepted; closing resets them.
    with socket.create_server(("127.0.0.1", port), backlog=8):
        yield
