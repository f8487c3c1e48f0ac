"""DELETE /me on moto: the password confirms it; afterwards nothing of the account is left."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from backend.errors import ItemsLeftBehind
from backend.store.accounts import DynamoDBAccountStore
from contract.routes import CREATE_USER, DELETE_ME, FORGOT_PASSWORD, RESET_PASSWORD, VERIFY_EMAIL
from contract.table_keys import OWNER_ATTRIBUTE as OWNER
from tests.support.accounts import (
    ISSUER,
    PASSWORD,
    WRONG_PASSWORD,
    Account,
    SessionsOnMoto,
    sessions_on_moto,
)
from tests.support.events import api_event
from tests.support.mailbox import reset_token_in
from tests.support.moto import Reply

NEW_PASSWORD = "quiet amber orchard telescope"


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


def _naming(stage: SessionsOnMoto, text: str) -> list[str]:
    """The key of every item whose key or attributes hold `text`, sorted."""
    return sorted(i["pk"]["S"] for i in stage.function.all_items() if text in json.dumps(i))


def _lived_in(stage: SessionsOnMoto) -> Account:
    """An account as use leaves it: signed up and confirmed (a spent link), its password reset
    (a spent reset link), signed in twice (two families, and the account's failure counters,
    which every sign-in holds a place in) and one session refreshed (a used refresh token and
    its successor)."""
    body = {"username": "AdaLovelace", "email": "ada@example.com", "password": PASSWORD}
    assert stage.call(CREATE_USER, body).status == 200
    confirm = {"token": stage.function.token("ada@example.com"), "password": PASSWORD}
    verified = stage.call(VERIFY_EMAIL, confirm)
    assert verified.status == 200
    assert stage.call(FORGOT_PASSWORD, {"email": "ada@example.com"}).status == 202
    (link,) = [t for t in map(reset_token_in, stage.function.mails("ada@example.com")) if t]
    assert stage.call(RESET_PASSWORD, {"token": link, "password": NEW_PASSWORD}).status == 204
    sessions = [stage.sign_in("AdaLovelace", NEW_PASSWORD) for _ in range(2)]
    assert [s.status for s in sessions] == [200, 200]
    assert stage.refresh(sessions[0].body["refreshToken"]).status == 200
    stage.function.mails()  # the worker sends what the outbox holds
    return Account(verified.body["userId"], "AdaLovelace", "ada@example.com")


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


def test_delete_leaves_no_item_that_names_the_user(stage: SessionsOnMoto) -> None:
    ada = _lived_in(stage)
    kinds = {pk.split("#")[0] for pk in _naming(stage, ada.user_id)}
    assert kinds == {"USER", "USERNAME", "EMAIL", "TOKEN", "RESET", "SESSION", "REFRESH", "RATE"}
    # The batch deletes take no condition, so only items whose keys no one
    # else can hold name an owner: never the profile or the claims.
    owned = {i["pk"]["S"].split("#")[0] for i in stage.function.all_items() if OWNER in i}
    assert owned == {"TOKEN", "RESET", "SESSION", "REFRESH", "RATE"}
    reply = _delete(stage, _claims(ada), {"password": NEW_PASSWORD})
    assert (reply.status, reply.text) == (204, "")
    assert _naming(stage, ada.user_id) == []
    # The address stays only in the notice's outbox item until it is sent,
    # and in the sign-up's and forgot-password's rate-limit counters (keyed
    # by the address, for everyone alike) until their windows end.
    outbox = [i["pk"]["S"] for i in stage.function.outbox()]
    assert [pk for pk in _naming(stage, "ada@example.com") if not pk.startswith("RATE#")] == outbox
    assert len(outbox) == 1
    stage.function.mails()
    assert [pk for pk in _naming(stage, "ada@example.com") if not pk.startswith("RATE#")] == []


def test_delete_with_a_wrong_password_changes_nothing_but_the_failure_counts(
    stage: SessionsOnMoto,
) -> None:
    ada = _lived_in(stage)
    before = {i["pk"]["S"]: i for i in stage.function.all_items()}
    reply = _delete(stage, _claims(ada), {"password": WRONG_PASSWORD})
    assert (reply.status, reply.codes) == (401, ["credentials_invalid"])
    after = {i["pk"]["S"]: i for i in stage.function.all_items()}
    changed = sorted(pk for pk in before.keys() | after.keys() if before.get(pk) != after.get(pk))
    # The client address's counter (every request counts there), and the
    # account's two failure counters (per client, across clients): nothing else.
    scopes = [pk.split("#")[1] for pk in changed]
    assert scopes == ["address", "signInFailures", "signInFailuresGlobal"]
    assert all(ada.user_id in pk for pk in changed[1:])


def test_delete_answers_204_when_the_clean_up_fails_and_logs_no_user(
    stage: SessionsOnMoto,
    monkeypatch: pytest.MonkeyPatch,
    log_lines: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    ada = _lived_in(stage)

    def throttled(self: DynamoDBAccountStore, user_id: str) -> int:
        raise ItemsLeftBehind("ProvisionedThroughputExceededException", 7)

    monkeypatch.setattr(DynamoDBAccountStore, "delete_owned", throttled)
    reply = _delete(stage, _claims(ada), {"password": NEW_PASSWORD})
    assert (reply.status, reply.text) == (204, "")
    # The account itself is gone: what is left works for nobody, and TTL takes it.
    assert _owned(stage, ada) == []
    assert stage.sign_in("AdaLovelace", NEW_PASSWORD).status == 401
    (warning,) = [json.loads(line) for line in log_lines if "items left to TTL" in line]
    assert warning["level"] == "WARNING"
    assert (warning["cause"], warning["left"]) == ("ProvisionedThroughputExceededException", 7)
    printed = capsys.readouterr().out
    assert "AccountItemsLeftBehind" in printed
    for text in (*log_lines, printed):
        assert ada.user_id not in text
        assert "ada@example.com" not in text


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
