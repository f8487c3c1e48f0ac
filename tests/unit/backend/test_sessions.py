"""Refresh-token rotation and reuse, sign-out, GET /me and the issuer's documents, on moto."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jwt
import pytest

from backend.handler import create_handler
from contract.routes import JWKS, OPENID_CONFIGURATION, REFRESH_SESSION, SIGN_OUT
from contract.signing import RS256
from tests.support.accounts import (
    AUDIENCE,
    ISSUER,
    SessionsOnMoto,
    sessions_on_moto,
    sessions_settings,
)
from tests.support.moto import TABLE, MotoFunction, Reply


@pytest.fixture
def stage(monkeypatch: pytest.MonkeyPatch) -> Iterator[SessionsOnMoto]:
    with sessions_on_moto(monkeypatch) as on_moto:
        yield on_moto


def _signed_in(stage: SessionsOnMoto) -> dict[str, Any]:
    stage.add_account()
    reply = stage.sign_in("AdaLovelace")
    assert reply.status == 200, reply.text
    return reply.body


def _people(stage: SessionsOnMoto) -> list[dict[str, Any]]:
    return [i for i in stage.function.all_items() if not i["pk"]["S"].startswith("RATE#")]


def assert_refresh_refused(reply: Reply) -> None:
    assert reply.status == 401, reply.text
    assert reply.codes == ["refresh_token_invalid"]
    assert reply.headers["www-authenticate"] == "Bearer"


def test_refresh_rotates_the_token(stage: SessionsOnMoto) -> None:
    first = _signed_in(stage)
    second = stage.refresh(first["refreshToken"])
    assert second.status == 200, second.text
    assert set(second.body) == {"accessToken", "tokenType", "expiresIn", "refreshToken"}
    assert second.body["refreshToken"] != first["refreshToken"]
    third = stage.refresh(second.body["refreshToken"])
    assert third.status == 200, third.text


def test_refresh_reuse_revokes_the_whole_family(stage: SessionsOnMoto) -> None:
    first = _signed_in(stage)
    newest = stage.refresh(first["refreshToken"]).body["refreshToken"]
    assert_refresh_refused(stage.refresh(first["refreshToken"]))
    # The newest token of the family ends with it.
    assert_refresh_refused(stage.refresh(newest))


def test_refresh_other_sessions_survive_a_revoked_family(stage: SessionsOnMoto) -> None:
    first = _signed_in(stage)
    other = stage.sign_in("AdaLovelace").body["refreshToken"]
    stage.refresh(first["refreshToken"])
    stage.refresh(first["refreshToken"])  # reuse: the first family ends
    assert stage.refresh(other).status == 200


@pytest.mark.parametrize("token", ["A" * 43, "short", "", "x" * 2000])
def test_refresh_unknown_tokens_are_refused_and_write_nothing(
    stage: SessionsOnMoto, token: str
) -> None:
    _signed_in(stage)
    before = _people(stage)
    assert_refresh_refused(stage.refresh(token))
    assert _people(stage) == before


@pytest.mark.parametrize(
    ("body", "codes"),
    [({}, ["refreshToken_required"]), ({"refreshToken": 5}, ["field_type"])],
)
def test_refresh_and_sign_out_bad_bodies_are_400(
    stage: SessionsOnMoto, body: dict[str, object], codes: list[str]
) -> None:
    for route in (REFRESH_SESSION, SIGN_OUT):
        before = _people(stage)
        reply = stage.call(route, body)
        assert reply.status == 400, reply.text
        assert reply.codes == codes
        assert _people(stage) == before


def test_refresh_expired_session_is_refused(stage: SessionsOnMoto) -> None:
    first = _signed_in(stage)
    for item in _people(stage):
        if item["pk"]["S"].startswith("REFRESH#"):
            stage.function.dynamodb.update_item(
                TableName=TABLE,
                Key={"pk": item["pk"]},
                UpdateExpression="SET validUntil = :past",
                ExpressionAttributeValues={":past": {"N": "1000"}},
            )
    assert_refresh_refused(stage.refresh(first["refreshToken"]))


def test_refresh_refused_once_the_user_is_gone(stage: SessionsOnMoto) -> None:
    first = _signed_in(stage)
    for item in _people(stage):
        if item["pk"]["S"].startswith("USER#"):
            stage.function.dynamodb.delete_item(TableName=TABLE, Key={"pk": item["pk"]})
    assert_refresh_refused(stage.refresh(first["refreshToken"]))


def test_sign_out_revokes_the_session(stage: SessionsOnMoto) -> None:
    first = _signed_in(stage)
    reply = stage.sign_out(first["refreshToken"])
    assert (reply.status, reply.text) == (204, "")
    assert "content-type" not in reply.headers
    assert_refresh_refused(stage.refresh(first["refreshToken"]))
    assert stage.sign_out(first["refreshToken"]).status == 204  # already out: the same


def test_sign_out_unknown_token_is_204_and_writes_nothing(stage: SessionsOnMoto) -> None:
    _signed_in(stage)
    before = _people(stage)
    assert stage.sign_out("B" * 43).status == 204
    assert _people(stage) == before


def test_me_answers_the_profile(stage: SessionsOnMoto) -> None:
    ada = stage.add_account()
    reply = stage.me({"sub": ada.user_id, "iss": ISSUER})
    assert reply.status == 200, reply.text
    assert reply.body == {
        "userId": ada.user_id,
        "username": ada.username,
        "email": ada.email,
        "createdAt": "2026-01-02T03:04:05.678Z",
        "verifiedAt": "2026-01-02T03:05:00.000Z",
    }


@pytest.mark.parametrize("claims", [None, {}, {"sub": "no-such-user"}])
def test_me_without_a_living_subject_is_401(
    stage: SessionsOnMoto, claims: dict[str, Any] | None
) -> None:
    stage.add_account()
    reply = stage.me(claims)
    assert reply.status == 401, reply.text
    assert reply.codes == ["credentials_invalid"]
    assert reply.headers["www-authenticate"].startswith("Bearer")


def test_discovery_names_the_issuer_and_its_keys(stage: SessionsOnMoto) -> None:
    reply = stage.call(OPENID_CONFIGURATION, headers={})
    assert reply.status == 200, reply.text
    assert reply.body["issuer"] == ISSUER
    assert reply.body["jwks_uri"] == f"{ISSUER}/.well-known/jwks.json"
    assert "max-age=86400" in reply.headers["cache-control"]


def test_jwks_holds_the_public_key_only(stage: SessionsOnMoto) -> None:
    reply = stage.call(JWKS, headers={})
    assert reply.status == 200, reply.text
    (key,) = reply.body["keys"]
    assert set(key) == {"kty", "crv", "x", "y", "kid", "use", "alg"}
    assert (key["kty"], key["crv"], key["alg"], key["kid"]) == (
        "EC",
        "P-256",
        "ES256",
        stage.key_id,
    )
    assert "public" in reply.headers["cache-control"]


def test_access_token_verifies_against_the_jwks(stage: SessionsOnMoto) -> None:
    tokens = _signed_in(stage)
    keys = jwt.PyJWKSet.from_dict(stage.call(JWKS, headers={}).body)
    header = jwt.get_unverified_header(tokens["accessToken"])
    assert header == {"alg": "ES256", "typ": "JWT", "kid": stage.key_id}
    claims = jwt.decode(
        tokens["accessToken"],
        keys[header["kid"]].key,
        algorithms=["ES256"],
        audience=AUDIENCE,
        issuer=ISSUER,
        options={"require": ["exp", "iat", "iss", "aud", "sub", "jti"]},
    )
    assert claims["exp"] - claims["iat"] <= 900


def test_jwks_lists_the_previous_key_during_a_rotation(monkeypatch: pytest.MonkeyPatch) -> None:
    with sessions_on_moto(monkeypatch) as first:
        old = first.key_id
        new = first.kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
        settings = sessions_settings(new["KeyMetadata"]["KeyId"], previous_signing_key_id=old)
        first.function = MotoFunction(create_handler(lambda: settings), first.function.dynamodb)
        kids = [k["kid"] for k in first.call(JWKS, headers={}).body["keys"]]
        assert kids == [new["KeyMetadata"]["KeyId"], old]


def test_session_routes_without_a_signing_key_are_500(monkeypatch: pytest.MonkeyPatch) -> None:
    with sessions_on_moto(monkeypatch, signing_key_id=None) as stage:
        reply = stage.call(JWKS, headers={})
        assert reply.status == 500
        assert reply.codes == ["internal_error"]


def test_rs256_access_token_verifies_against_the_jwks(monkeypatch: pytest.MonkeyPatch) -> None:
    with sessions_on_moto(monkeypatch, algorithm=RS256) as stage:
        tokens = _signed_in(stage)
        (key,) = stage.call(JWKS, headers={}).body["keys"]
        assert set(key) == {"kty", "n", "e", "kid", "use", "alg"}
        assert (key["kty"], key["alg"], key["use"], key["kid"]) == (
            "RSA",
            "RS256",
            "sig",
            stage.key_id,
        )
        header = jwt.get_unverified_header(tokens["accessToken"])
        assert header == {"alg": "RS256", "typ": "JWT", "kid": stage.key_id}
        claims = jwt.decode(
            tokens["accessToken"],
            jwt.PyJWK.from_dict(key).key,
            algorithms=["RS256"],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "jti"]},
        )
        assert claims["sub"]
        discovery = stage.call(OPENID_CONFIGURATION, headers={}).body
        assert discovery["id_token_signing_alg_values_supported"] == ["RS256"]
