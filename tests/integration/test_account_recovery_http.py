"""Password reset and account deletion over HTTP on the local stage: real sign-ups, the stream-fed
mail worker, the gateway's bearer check in front of DELETE /me."""

from __future__ import annotations

import json
from collections.abc import Iterator
from email.message import EmailMessage

import httpx
import pytest

from contract.routes import (
    CREATE_USER,
    DELETE_ME,
    FORGOT_PASSWORD,
    ME,
    REFRESH_SESSION,
    RESET_PASSWORD,
    SIGN_IN,
    VERIFY_EMAIL,
)
from infra.local.stage import MAIL_DIR
from tests.support.mailbox import read_outbox, reset_token_in, token_in
from tests.support.stage import outbox_settled, suite_stage_running, table_items
from tests.support.stage_process import LocalStageProcess
from tests.support.users import unique_signup

pytestmark = [pytest.mark.integration, pytest.mark.slow]
NEW_PASSWORD = "quiet amber orchard telescope"


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStageProcess]:
    with suite_stage_running(tmp_path_factory.mktemp("recovery") / "data") as process:
        yield process


@pytest.fixture
def api(stage: LocalStageProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stage.api_url, timeout=30.0) as client:
        yield client


def mails_to(stage: LocalStageProcess, address: str) -> list[EmailMessage]:
    outbox_settled(stage)
    return [m for m in read_outbox(stage.data_dir / MAIL_DIR) if m["To"] == address]


def reset_tokens(stage: LocalStageProcess, address: str) -> list[str]:
    found = [reset_token_in(m) for m in mails_to(stage, address)]
    return [token for token in found if token]


def verified_account(stage: LocalStageProcess, api: httpx.Client) -> dict[str, str]:
    body = unique_signup()
    assert api.post(CREATE_USER.path, json=body).status_code == 200
    (mail,) = mails_to(stage, body["email"])
    confirm = {"token": token_in(mail), "password": body["password"]}
    assert api.post(VERIFY_EMAIL.path, json=confirm).status_code == 200
    return body


def naming(stage: LocalStageProcess, text: str) -> list[str]:
    """The key of every item in the stage's table (counters and records too) that holds `text`."""
    items = table_items(stage, bookkeeping=True)
    return sorted(pk for pk, item in items.items() if text in json.dumps(item))


def sign_in(api: httpx.Client, login: str, password: str) -> httpx.Response:
    return api.post(SIGN_IN.path, json={"login": login, "password": password})


def test_forgot_password_answers_alike_and_mails_only_the_owner_once(
    stage: LocalStageProcess, api: httpx.Client
) -> None:
    owner = verified_account(stage, api)
    pending = unique_signup()
    api.post(CREATE_USER.path, json=pending)
    unknown = unique_signup()["email"]
    replies = [
        api.post(FORGOT_PASSWORD.path, json={"email": email})
        for email in (owner["email"], pending["email"], unknown, owner["email"])
    ]
    assert {r.status_code for r in replies} == {202}
    assert len({r.content for r in replies}) == 1
    assert len(reset_tokens(stage, owner["email"])) == 1
    assert reset_tokens(stage, pending["email"]) == []
    assert mails_to(stage, unknown) == []


def test_reset_refuses_a_short_password_then_sets_the_new_one(
    stage: LocalStageProcess, api: httpx.Client
) -> None:
    owner = verified_account(stage, api)
    old = sign_in(api, owner["username"], owner["password"]).json()["refreshToken"]
    api.post(FORGOT_PASSWORD.path, json={"email": owner["email"]})
    (token,) = reset_tokens(stage, owner["email"])
    short = api.post(RESET_PASSWORD.path, json={"token": token, "password": "short"})
    assert short.status_code == 400
    assert [e["code"] for e in short.json()["errors"]] == ["password_too_short"]
    done = api.post(RESET_PASSWORD.path, json={"token": token, "password": NEW_PASSWORD})
    assert done.status_code == 204
    again = api.post(RESET_PASSWORD.path, json={"token": token, "password": NEW_PASSWORD})
    assert (again.status_code, again.json()["errors"][0]["code"]) == (400, "token_invalid")
    refused = api.post(REFRESH_SESSION.path, json={"refreshToken": old})
    assert refused.status_code == 401
    assert sign_in(api, owner["username"], owner["password"]).status_code == 401
    assert sign_in(api, owner["username"], NEW_PASSWORD).status_code == 200
    notice = mails_to(stage, owner["email"])[-1]
    assert "password was changed" in str(notice["Subject"])


def test_delete_asks_for_the_password_then_frees_the_identity(
    stage: LocalStageProcess, api: httpx.Client
) -> None:
    owner = verified_account(stage, api)
    tokens = sign_in(api, owner["username"], owner["password"]).json()
    bearer = {"authorization": f"Bearer {tokens['accessToken']}"}
    assert api.request("DELETE", DELETE_ME.path, json={"password": "x"}).status_code == 401
    wrong = api.request("DELETE", DELETE_ME.path, json={"password": "wrong"}, headers=bearer)
    assert (wrong.status_code, wrong.json()["errors"][0]["code"]) == (401, "credentials_invalid")
    me = api.get(ME.path, headers=bearer)
    assert me.status_code == 200
    user_id = me.json()["userId"]
    # The spent link, the session and its refresh token, the failure counters.
    kinds = {pk.split("#")[0] for pk in naming(stage, user_id)}
    assert kinds >= {"USER", "USERNAME", "EMAIL", "TOKEN", "SESSION", "REFRESH", "RATE"}
    done = api.request(
        "DELETE", DELETE_ME.path, json={"password": owner["password"]}, headers=bearer
    )
    assert done.status_code == 204
    # Nothing in DynamoDB Local names the user any more, bookkeeping included.
    assert naming(stage, user_id) == []
    assert api.get(ME.path, headers=bearer).status_code == 401
    assert sign_in(api, owner["username"], owner["password"]).status_code == 401
    gone = api.post(REFRESH_SESSION.path, json={"refreshToken": tokens["refreshToken"]})
    assert gone.status_code == 401
    assert "deleted" in str(mails_to(stage, owner["email"])[-1]["Subject"])
    # Once the notice is sent, nothing in the table names the address.
    assert not any(owner["email"] in str(item) for item in table_items(stage).values())
    # The same username and address sign up, confirm and sign in again at once.
    reborn = dict(owner, password=NEW_PASSWORD + " again")
    assert api.post(CREATE_USER.path, json=reborn).status_code == 200
    link = [m for m in mails_to(stage, owner["email"]) if "verify?token=" in str(m)][-1]
    confirm = {"token": token_in(link), "password": reborn["password"]}
    assert api.post(VERIFY_EMAIL.path, json=confirm).status_code == 200
    assert sign_in(api, owner["username"], reborn["password"]).status_code == 200
