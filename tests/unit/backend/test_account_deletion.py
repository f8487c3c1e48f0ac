"""DELETE /me on moto: the password confirms it; afterwards nothing of the account is left."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from contract.routes import DELETE_ME, FORGOT_PASSWORD
from tests.support.accounts import (
    ISSUER,
    PASSWORD,
    WRONG_PASSWORD,
    Account,
    SessionsOnMoto,
    sessions_on_moto,
)
from tests.support.events import api_event
from tests.support.moto import Reply


@pytest.fixture
def stage(monkeypatch: pytest.MonkeyPatch) -> Iterator[SessionsOnMoto]:
    with sessions_on_moto(monkeypatch) as on_moto:
        yield on_moto


def _delete(stage: SessionsOnMoto, claims: dict[str, Any] | None, body: object) -> Reply:
    event = api_event(body, method=DELETE_ME.method, path=DELETE_ME.path)
    if claims is not None:
        event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    return stage.function.invoke(event)


def _claims(account: Account) -> dict[str, Any]:
    return {"sub": account.user_id, "iss": ISSUER}


def _people(stage: SessionsOnMoto) -> list[dict[str, Any]]:
    return sorted(
        (i for i in stage.function.all_items() if not i["pk"]["S"].startswith("RATE#")),
        key=lambda i: i["pk"]["S"],
    )


def _owned(stage: SessionsOnMoto, account: Account) -> list[str]:
    keys = (f"USER#{account.user_id}", "USERNAME#adalovelace", "EMAIL#ada@example.com")
    return [i["pk"]["S"] for i in stage.function.all_items() if i["pk"]["S"] in keys]


def test_delete_removes_the_account_and_its_claims(stage: SessionsOnMoto) -> None:
    ada = stage.add_account()
    reply = _delete(stage, _claims(ada), {"password": PASSWORD})
    assert (reply.status, reply.text) == (204, "")
    assert _owned(stage, ada) == []


def test_delete_ends_sign_in_sessions_and_me(stage: SessionsOnMoto) -> None:
    ada = stage.add_account()
    refresh = stage.sign_in("AdaLovelace").body["refreshToken"]
    _delete(stage, _claims(ada), {"password": PASSWORD})
    assert stage.sign_in("AdaLovelace").status == 401
    assert stage.me(_claims(ada)).status == 401
    refused = stage.refresh(refresh)
    assert (refused.status, refused.codes) == (401, ["refresh_token_invalid"])


def test_delete_frees_the_username_and_address(stage: SessionsOnMoto) -> None:
    ada = stage.add_account()
    _delete(stage, _claims(ada), {"password": PASSWORD})
    again = stage.add_account()
    assert again.user_id != ada.user_id
    assert stage.sign_in("AdaLovelace").status == 200


def test_delete_removes_a_waiting_reset_link(stage: SessionsOnMoto) -> None:
    ada = stage.add_account()
    stage.call(FORGOT_PASSWORD, {"email": "ada@example.com"})
    stage.function.deliver()
    assert any(i["pk"]["S"].startswith("RESET#") for i in stage.function.all_items())
    _delete(stage, _claims(ada), {"password": PASSWORD})
    assert not any(i["pk"]["S"].startswith("RESET#") for i in stage.function.all_items())


def test_delete_mails_a_notice(stage: SessionsOnMoto) -> None:
    ada = stage.add_account()
    _delete(stage, _claims(ada), {"password": PASSWORD})
    (notice,) = stage.function.mails("ada@example.com")
    assert "deleted" in str(notice["Subject"])


def test_delete_wrong_password_is_401_and_deletes_nothing(stage: SessionsOnMoto) -> None:
    ada = stage.add_account()
    before = _people(stage)
    reply = _delete(stage, _claims(ada), {"password": WRONG_PASSWORD})
    assert (reply.status, reply.codes) == (401, ["credentials_invalid"])
    assert _people(stage) == before
    assert stage.function.mails("ada@example.com") == []


def test_delete_wrong_passwords_are_limited(monkeypatch: pytest.MonkeyPatch) -> None:
    with sessions_on_moto(monkeypatch) as stage:
        ada = stage.add_account()
        replies = [_delete(stage, _claims(ada), {"password": WRONG_PASSWORD}) for _ in range(6)]
        assert [r.status for r in replies] == [401] * 5 + [429]
        assert replies[-1].codes == ["rate_limited"]
        assert _owned(stage, ada) != []


@pytest.mark.parametrize("claims", [None, {}, {"sub": "no-such-user"}])
def test_delete_without_a_living_subject_is_401(
    stage: SessionsOnMoto, claims: dict[str, Any] | None
) -> None:
    stage.add_account()
    before = _people(stage)
    reply = _delete(stage, claims, {"password": PASSWORD})
    assert (reply.status, reply.codes) == (401, ["credentials_invalid"])
    assert _people(stage) == before


@pytest.mark.parametrize(
    ("body", "codes"),
    [
        ({}, ["password_required"]),
        ({"password": ""}, ["password_required"]),
        ({"password": 5}, ["field_type"]),
        ({"password": PASSWORD, "reason": "x"}, ["field_unknown"]),
    ],
)
def test_delete_bad_bodies_are_400_and_delete_nothing(
    stage: SessionsOnMoto, body: dict[str, object], codes: list[str]
) -> None:
    ada = stage.add_account()
    before = _people(stage)
    reply = _delete(stage, _claims(ada), body)
    assert reply.status == 400, reply.text
    assert reply.codes == codes
    assert _people(stage) == before
