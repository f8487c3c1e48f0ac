"""POST /signIn through the real handler on moto: every answer, what it writes, its limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from backend.errors import SigningUnavailable
from backend.signing import KmsSigner
from contract.limits import RateLimit
from contract.routes import SIGN_IN
from tests.support.accounts import (
    AUDIENCE,
    ISSUER,
    PASSWORD,
    WRONG_PASSWORD,
    SessionsOnMoto,
    sessions_on_moto,
    token_claims,
)
from tests.support.moto import TABLE, Reply


@pytest.fixture
def stage(monkeypatch: pytest.MonkeyPatch) -> Iterator[SessionsOnMoto]:
    with sessions_on_moto(monkeypatch) as on_moto:
        yield on_moto


def _people(stage: SessionsOnMoto) -> list[dict[str, Any]]:
    """Every item but the rate-limit counters (which a failure is meant to write)."""
    return [i for i in stage.function.all_items() if not i["pk"]["S"].startswith("RATE#")]


def assert_refused(reply: Reply, status: int, code: str) -> None:
    assert reply.status == status, reply.text
    assert reply.codes == [code]
    assert reply.headers["content-type"] == "application/problem+json"
    assert "accessToken" not in reply.text


def test_sign_in_by_username_answers_tokens(stage: SessionsOnMoto) -> None:
    ada = stage.add_account()
    reply = stage.sign_in("adalovelace")
    assert reply.status == 200, reply.text
    assert set(reply.body) == {"accessToken", "tokenType", "expiresIn", "refreshToken"}
    assert reply.body["tokenType"] == "Bearer"
    assert reply.body["expiresIn"] == 900
    claims = token_claims(reply.body["accessToken"])
    assert claims["sub"] == ada.user_id
    assert (claims["iss"], claims["aud"]) == (ISSUER, AUDIENCE)
    assert (claims["username"], claims["email"]) == (ada.username, ada.email)
    assert claims["exp"] - claims["iat"] == 900
    assert claims["jti"]
    assert reply.headers["cache-control"] == "no-store"


def test_sign_in_by_address_in_any_case(stage: SessionsOnMoto) -> None:
    stage.add_account()
    assert stage.sign_in(" ADA@Example.com ").status == 200


def test_sign_in_stores_the_session_as_digests_only(stage: SessionsOnMoto) -> None:
    stage.add_account()
    reply = stage.sign_in("AdaLovelace")
    stored = repr(stage.function.all_items())
    assert reply.body["refreshToken"] not in stored
    assert reply.body["accessToken"] not in stored
    kinds = sorted(i["pk"]["S"].split("#")[0] for i in _people(stage))
    assert kinds == ["EMAIL", "REFRESH", "SESSION", "USER", "USERNAME"]


@pytest.mark.parametrize(
    ("login", "password", "verified"),
    [
        ("AdaLovelace", WRONG_PASSWORD, True),
        ("nobody", PASSWORD, True),
        ("nobody@example.com", PASSWORD, True),
        ("not an address@", PASSWORD, True),
        ("x" * 400, PASSWORD, True),
        ("AdaLovelace", WRONG_PASSWORD, False),
    ],
    ids=["wrong-password", "unknown-username", "unknown-address", "malformed", "long", "pending"],
)
def test_sign_in_refuses_alike_and_writes_nothing(
    stage: SessionsOnMoto, login: str, password: str, verified: bool
) -> None:
    stage.add_account(verified=verified)
    before = _people(stage)
    reply = stage.sign_in(login, password)
    assert_refused(reply, 401, "credentials_invalid")
    assert reply.headers["www-authenticate"] == "Bearer"
    assert _people(stage) == before


def test_sign_in_pending_with_the_right_password_is_unverified(stage: SessionsOnMoto) -> None:
    stage.add_account(verified=False)
    before = _people(stage)
    assert_refused(stage.sign_in("AdaLovelace"), 403, "email_unverified")
    assert _people(stage) == before


@pytest.mark.parametrize(
    ("body", "codes"),
    [
        ({"login": "AdaLovelace"}, ["password_required"]),
        ({"password": PASSWORD}, ["login_required"]),
        ({"login": 1, "password": PASSWORD}, ["field_type"]),
        ({"login": "a", "password": PASSWORD, "extra": 1}, ["field_unknown"]),
    ],
)
def test_sign_in_bad_bodies_are_400(
    stage: SessionsOnMoto, body: dict[str, object], codes: list[str]
) -> None:
    before = _people(stage)
    reply = stage.call(SIGN_IN, body)
    assert reply.status == 400, reply.text
    assert reply.codes == codes
    assert _people(stage) == before


def test_sign_in_rehashes_when_the_stage_cost_rose(monkeypatch: pytest.MonkeyPatch) -> None:
    with sessions_on_moto(monkeypatch, bcrypt_cost=5) as stage:
        ada = stage.add_account(cost=4)
        assert stage.sign_in("AdaLovelace").status == 200
        user = next(i for i in stage.function.all_items() if i["pk"]["S"] == f"USER#{ada.user_id}")
        assert "$2b$05$" in user["passwordHash"]["S"]
        assert stage.sign_in("AdaLovelace").status == 200  # the new hash checks out


def test_sign_in_keeps_a_hash_at_the_stage_cost(stage: SessionsOnMoto) -> None:
    ada = stage.add_account(cost=4)
    before = next(i for i in stage.function.all_items() if i["pk"]["S"] == f"USER#{ada.user_id}")
    stage.sign_in("AdaLovelace")
    after = next(i for i in stage.function.all_items() if i["pk"]["S"] == f"USER#{ada.user_id}")
    assert after == before


def test_sign_in_failures_limit_one_client_not_the_owner_elsewhere(stage: SessionsOnMoto) -> None:
    stage.add_account()
    attacker = "203.0.113.7"
    answers = [stage.sign_in("AdaLovelace", WRONG_PASSWORD, source_ip=attacker) for _ in range(30)]
    assert [a.status for a in answers[:5]] == [401] * 5
    assert {a.status for a in answers[5:]} == {429}
    assert answers[5].codes == ["rate_limited"]
    assert 1 <= int(answers[5].headers["retry-after"]) <= 900
    # Refused before the password was checked: even the right one waits.
    assert stage.sign_in("AdaLovelace", source_ip=attacker).status == 429
    assert stage.sign_in("AdaLovelace", source_ip="198.51.100.20").status == 200


def test_sign_in_successes_do_not_count_as_failures(stage: SessionsOnMoto) -> None:
    stage.add_account()
    for _ in range(8):
        assert stage.sign_in("AdaLovelace").status == 200


def test_sign_in_account_ceiling_holds_across_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    with sessions_on_moto(
        monkeypatch, rate_limit_sign_in_failures_global=RateLimit(3, 3600)
    ) as stage:
        stage.add_account()
        for n in range(3):
            assert (
                stage.sign_in("AdaLovelace", WRONG_PASSWORD, source_ip=f"203.0.113.{n}").status
                == 401
            )
        reply = stage.sign_in("AdaLovelace", WRONG_PASSWORD, source_ip="203.0.113.99")
        assert_refused(reply, 429, "rate_limited")


def test_sign_in_unknown_logins_are_limited_too(stage: SessionsOnMoto) -> None:
    statuses = [stage.sign_in("nobody", source_ip="203.0.113.5").status for _ in range(7)]
    assert statuses == [401] * 5 + [429] * 2


def test_sign_in_counts_metrics_and_logs_no_secret(
    stage: SessionsOnMoto, log_lines: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    stage.add_account()
    ok = stage.sign_in("AdaLovelace")
    stage.sign_in("AdaLovelace", WRONG_PASSWORD)
    printed = capsys.readouterr().out
    assert "SignInSucceeded" in printed and "SignInFailed" in printed
    for text in (*log_lines, printed):
        assert ok.body["accessToken"] not in text
        assert ok.body["refreshToken"] not in text
        assert "192.0.2.10" not in text
        assert "AdaLovelace" not in text


def test_sign_in_when_kms_cannot_sign_is_503_and_starts_no_session(
    stage: SessionsOnMoto, monkeypatch: pytest.MonkeyPatch
) -> None:
    stage.add_account()
    before = _people(stage)

    def unavailable(self: KmsSigner, message: bytes) -> bytes:
        raise SigningUnavailable("ThrottlingException")

    monkeypatch.setattr(KmsSigner, "sign", unavailable)
    reply = stage.sign_in("AdaLovelace")
    assert reply.status == 503, reply.text
    assert reply.codes == ["store_unavailable"]
    assert reply.headers["retry-after"] == "1"
    assert _people(stage) == before


def test_sign_in_user_without_a_hash_is_refused_like_any_other(stage: SessionsOnMoto) -> None:
    ada = stage.add_account()
    stage.function.dynamodb.update_item(
        TableName=TABLE,
        Key={"pk": {"S": f"USER#{ada.user_id}"}},
        UpdateExpression="REMOVE passwordHash",
    )
    assert_refused(stage.sign_in("AdaLovelace"), 401, "credentials_invalid")
