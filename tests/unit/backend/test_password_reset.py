"""POST /forgotPassword and POST /resetPassword on moto: who gets a link, what a link does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from contract.routes import FORGOT_PASSWORD, RESET_PASSWORD
from tests.support.accounts import PASSWORD, SessionsOnMoto, sessions_on_moto
from tests.support.mailbox import reset_token_in
from tests.support.moto import TABLE, Reply

NEW_PASSWORD = "quiet amber orchard telescope"


@pytest.fixture
def stage(monkeypatch: pytest.MonkeyPatch) -> Iterator[SessionsOnMoto]:
    with sessions_on_moto(monkeypatch) as on_moto:
        yield on_moto


def _forgot(stage: SessionsOnMoto, email: str) -> Reply:
    return stage.call(FORGOT_PASSWORD, {"email": email})


def _reset(stage: SessionsOnMoto, token: object, password: object = NEW_PASSWORD) -> Reply:
    return stage.call(RESET_PASSWORD, {"token": token, "password": password})


def _reset_tokens(stage: SessionsOnMoto, to: str) -> list[str]:
    found = [reset_token_in(m) for m in stage.function.mails(to)]
    return [token for token in found if token]


def _people(stage: SessionsOnMoto) -> list[dict[str, Any]]:
    return sorted(
        (i for i in stage.function.all_items() if not i["pk"]["S"].startswith("RATE#")),
        key=lambda i: i["pk"]["S"],
    )


def _mailed_token(stage: SessionsOnMoto, email: str = "ada@example.com") -> str:
    assert _forgot(stage, email).status == 202
    (token,) = _reset_tokens(stage, email)
    return token


def test_forgot_password_answers_alike_for_every_address(stage: SessionsOnMoto) -> None:
    stage.add_account()
    stage.add_account("Pending", "pending@example.com", verified=False)
    replies = [
        _forgot(stage, email)
        for email in ("ada@example.com", "pending@example.com", "nobody@example.com")
    ]
    assert {r.status for r in replies} == {202}
    assert len({r.text for r in replies}) == 1
    # The same write for each: one outbox item, whatever the address's state.
    assert len(stage.function.outbox()) == 3


def test_forgot_password_mails_only_a_verified_owner(stage: SessionsOnMoto) -> None:
    stage.add_account()
    stage.add_account("Pending", "pending@example.com", verified=False)
    for email in ("ada@example.com", "pending@example.com", "nobody@example.com"):
        _forgot(stage, email)
    assert len(_reset_tokens(stage, "ada@example.com")) == 1
    assert stage.function.mails("pending@example.com") == []
    assert stage.function.mails("nobody@example.com") == []
    assert stage.function.outbox() == []


def test_forgot_password_mails_at_most_once_a_minute(stage: SessionsOnMoto) -> None:
    stage.add_account()
    for _ in range(3):
        assert _forgot(stage, "ada@example.com").status == 202
    assert len(_reset_tokens(stage, "ada@example.com")) == 1


@pytest.mark.parametrize(
    ("body", "codes"),
    [
        ({}, ["email_required"]),
        ({"email": "not-an-address"}, ["email_invalid"]),
        ({"email": "ada@example.com", "extra": 1}, ["field_unknown"]),
    ],
)
def test_forgot_password_bad_bodies_are_400_and_write_nothing(
    stage: SessionsOnMoto, body: dict[str, object], codes: list[str]
) -> None:
    stage.add_account()
    before = _people(stage)
    reply = stage.call(FORGOT_PASSWORD, body)
    assert reply.status == 400, reply.text
    assert reply.codes == codes
    assert _people(stage) == before


def test_reset_sets_the_password_and_ends_every_session(stage: SessionsOnMoto) -> None:
    stage.add_account()
    old = stage.sign_in("AdaLovelace").body["refreshToken"]
    token = _mailed_token(stage)
    reply = _reset(stage, token)
    assert (reply.status, reply.text) == (204, "")
    assert stage.sign_in("AdaLovelace").status == 401
    assert stage.sign_in("AdaLovelace", NEW_PASSWORD).status == 200
    refused = stage.refresh(old)
    assert (refused.status, refused.codes) == (401, ["refresh_token_invalid"])


def test_reset_sends_a_notice_without_a_link(stage: SessionsOnMoto) -> None:
    stage.add_account()
    _reset(stage, _mailed_token(stage))
    notice = stage.function.mails("ada@example.com")[-1]
    assert "password was changed" in str(notice["Subject"])
    text = str(notice.get_body(preferencelist=("plain",)).get_content())  # type: ignore[union-attr]
    assert "http" not in text


def test_reset_link_works_once(stage: SessionsOnMoto) -> None:
    stage.add_account()
    token = _mailed_token(stage)
    assert _reset(stage, token).status == 204
    before = _people(stage)
    again = _reset(stage, token, "another quiet amber orchard")
    assert (again.status, again.codes) == (400, ["token_invalid"])
    assert _people(stage) == before


def test_reset_newer_request_ends_the_older_link(
    stage: SessionsOnMoto, monkeypatch: pytest.MonkeyPatch
) -> None:
    stage.add_account()
    older = _mailed_token(stage)
    # A minute later (the cooldown), a second request mails a second link.
    for item in stage.function.all_items():
        if item["pk"]["S"].startswith("USER#"):
            stage.function.dynamodb.update_item(
                TableName=TABLE,
                Key={"pk": item["pk"]},
                UpdateExpression="SET resetMailedAt = :long_ago",
                ExpressionAttributeValues={":long_ago": {"N": "1000"}},
            )
    _forgot(stage, "ada@example.com")
    tokens = _reset_tokens(stage, "ada@example.com")
    assert len(tokens) == 2
    before = _people(stage)
    refused = _reset(stage, older)
    assert (refused.status, refused.codes) == (400, ["token_invalid"])
    assert _people(stage) == before
    assert _reset(stage, tokens[-1]).status == 204


def test_reset_expired_link_is_410_and_writes_nothing(stage: SessionsOnMoto) -> None:
    stage.add_account()
    token = _mailed_token(stage)
    for item in stage.function.all_items():
        if item["pk"]["S"].startswith("RESET#"):
            stage.function.dynamodb.update_item(
                TableName=TABLE,
                Key={"pk": item["pk"]},
                UpdateExpression="SET validUntil = :past",
                ExpressionAttributeValues={":past": {"N": "1000"}},
            )
    before = _people(stage)
    reply = _reset(stage, token)
    assert (reply.status, reply.codes) == (410, ["token_expired"])
    assert _people(stage) == before
    assert stage.sign_in("AdaLovelace", PASSWORD).status == 200


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short", "password_too_short"),
        ("x" * 129, "password_too_long"),
        ("1234567890123456", "password_common"),
        ("AdaLovelace2026!", "password_similar"),
        ("qwertyuiopasdfgh", "password_weak"),
        ("", "password_required"),
    ],
)
def test_reset_refuses_passwords_by_the_sign_up_rules(
    stage: SessionsOnMoto, password: str, code: str
) -> None:
    stage.add_account()
    token = _mailed_token(stage)
    before = _people(stage)
    reply = _reset(stage, token, password)
    assert reply.status == 400, reply.text
    assert reply.codes == [code]
    assert _people(stage) == before
    # The link survives a refused password.
    assert _reset(stage, token).status == 204


@pytest.mark.parametrize(
    ("body", "codes"),
    [
        ({"token": "A" * 43, "password": NEW_PASSWORD}, ["token_invalid"]),
        ({"token": "short", "password": NEW_PASSWORD}, ["token_invalid"]),
        ({"password": NEW_PASSWORD}, ["token_required"]),
        ({"token": "A" * 43}, ["password_required"]),
        ({"token": 5, "password": NEW_PASSWORD}, ["field_type"]),
        ({"token": "A" * 43, "password": NEW_PASSWORD, "email": "x"}, ["field_unknown"]),
    ],
)
def test_reset_bad_requests_are_400_and_write_nothing(
    stage: SessionsOnMoto, body: dict[str, object], codes: list[str]
) -> None:
    stage.add_account()
    _mailed_token(stage)
    before = _people(stage)
    reply = stage.call(RESET_PASSWORD, body)
    assert reply.status == 400, reply.text
    assert reply.codes == codes
    assert _people(stage) == before


def test_reset_stores_the_link_only_as_a_digest(stage: SessionsOnMoto) -> None:
    stage.add_account()
    token = _mailed_token(stage)
    assert token not in str(stage.function.all_items())
