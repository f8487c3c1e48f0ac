"""Signing in over HTTP on the local stage: the tokens verify against the stage's own discovery
document and JWKS with PyJWT, and the gateway stand-in refuses every token the JWT authorizer
would (missing, malformed, `alg: none`, forged, altered, expired, wrong audience or issuer)."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import yaml  # type: ignore[import-untyped]
from cryptography.hazmat.primitives.asymmetric import ec

from contract.environment import RATE_LIMIT_SIGN_IN_FAILURES
from contract.headers import FORWARDED_ADDRESS, FORWARDED_SECRET
from contract.routes import (
    CREATE_USER,
    ME,
    OPENID_CONFIGURATION,
    REFRESH_SESSION,
    SIGN_IN,
    SIGN_OUT,
    VERIFY_EMAIL,
)
from infra.local import dynamodb_local
from infra.local.secrets import CLIENT_ADDRESS_SECRET_FILE, load_or_create_pepper
from infra.local.signing_key import (
    RSA_SIGNING_KEY_FILE,
    SIGNING_KEY_FILE,
    load_or_create_signer,
)
from infra.local.stage import DEV_STACK_FILE, MAIL_DIR, REPO_ROOT
from tests.plugins.hygiene import register_secret
from tests.support.accounts import PASSWORD, WRONG_PASSWORD, Account, account_items
from tests.support.mailbox import read_outbox, token_in
from tests.support.stage import REGION, TABLE, StageFactory, outbox_settled
from tests.support.stage_process import LocalStageProcess
from tests.support.users import unique_signup

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def stage(start_local_stage: StageFactory) -> LocalStageProcess:
    return start_local_stage(env={RATE_LIMIT_SIGN_IN_FAILURES: "5/900"})


@pytest.fixture
def api(stage: LocalStageProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stage.api_url, timeout=30.0) as client:
        yield client


def add_account(stage: LocalStageProcess, username: str = "AdaLovelace") -> Account:
    pepper = load_or_create_pepper(stage.data_dir)
    register_secret(pepper, "the pepper")
    account, items = account_items(username, f"{username.lower()}@example.com", pepper=pepper)
    ddb = dynamodb_local.client(stage.dynamodb_endpoint, REGION)
    for item in items:
        ddb.put_item(TableName=TABLE, Item=item)
    return account


def sign_in(api: httpx.Client, login: str, password: str = PASSWORD) -> httpx.Response:
    return api.post(SIGN_IN.path, json={"login": login, "password": password})


def verified_claims(api: httpx.Client, token: str, algorithm: str = "ES256") -> dict[str, Any]:
    """Verify as a team's own API would: discovery document, then its JWKS, then the token."""
    discovery = api.get(OPENID_CONFIGURATION.path).json()
    keys = jwt.PyJWKClient(discovery["jwks_uri"]).get_signing_key_from_jwt(token)
    return dict(
        jwt.decode(
            token,
            keys.key,
            algorithms=[algorithm],
            issuer=discovery["issuer"],
            audience="signup-local",
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    )


def _segment(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def test_sign_in_tokens_verify_against_the_stage_issuer(
    stage: LocalStageProcess, api: httpx.Client
) -> None:
    ada = add_account(stage)
    for login in ("adalovelace", "ADALOVELACE@example.com"):
        reply = sign_in(api, login)
        assert reply.status_code == 200, reply.text
        claims = verified_claims(api, reply.json()["accessToken"])
        assert claims["iss"] == stage.api_url
        assert claims["sub"] == ada.user_id
        assert claims["exp"] - claims["iat"] <= 900
    me = api.get(ME.path, headers={"authorization": f"Bearer {reply.json()['accessToken']}"})
    assert me.status_code == 200, me.text
    assert me.json()["userId"] == ada.user_id


def test_me_refuses_every_bad_token(stage: LocalStageProcess, api: httpx.Client) -> None:
    add_account(stage)
    good = sign_in(api, "AdaLovelace").json()["accessToken"]
    header, claims, signature = good.split(".")
    payload = json.loads(base64.urlsafe_b64decode(claims + "=="))
    other_key = ec.generate_private_key(ec.SECP256R1())
    kid = jwt.get_unverified_header(good)["kid"]
    signer = load_or_create_signer(stage.data_dir)

    def signed(changes: dict[str, Any]) -> str:
        body = {**payload, **changes}
        signing_input = f"{header}.{_segment(body)}".encode()
        raw = base64.urlsafe_b64encode(signer.sign(signing_input)).rstrip(b"=").decode()
        return f"{signing_input.decode()}.{raw}"

    now = int(time.time())
    bad = {
        "missing": None,
        "malformed": "not-a-token",
        "alg-none": f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{claims}.",
        "hs256-with-public-key": jwt.encode(payload, "x" * 32, "HS256", {"kid": kid}),
        "forged": jwt.encode(payload, other_key, "ES256", {"kid": kid}),
        "altered": f"{header}.{_segment({**payload, 'sub': 'someone-else'})}.{signature}",
        "expired": signed({"iat": now - 1000, "exp": now - 100}),
        "wrong-audience": signed({"aud": "another-api"}),
        "wrong-issuer": signed({"iss": "https://evil.example"}),
    }
    for name, token in bad.items():
        headers = {} if token is None else {"authorization": f"Bearer {token}"}
        reply = api.get(ME.path, headers=headers)
        assert reply.status_code == 401, name
        assert reply.headers["www-authenticate"].startswith("Bearer"), name
    # The stage's own key, untampered, still passes: the refusals were for the reasons named.
    assert api.get(ME.path, headers={"authorization": f"Bearer {signed({})}"}).status_code == 200


def test_an_rs256_stage_serves_me_and_refuses_an_es256_forgery(
    start_local_stage: StageFactory, tmp_path: Path
) -> None:
    # The dev stack's policy with one key added, as a team would opt in.
    stack = yaml.safe_load((REPO_ROOT / DEV_STACK_FILE).read_text(encoding="utf-8"))
    stack["config"]["signup:tokenAlgorithm"] = "RS256"
    stack_file = tmp_path / "rs256" / DEV_STACK_FILE
    stack_file.parent.mkdir()
    stack_file.write_text(yaml.safe_dump(stack), encoding="utf-8")
    stage = start_local_stage(args=("--stack-file", str(stack_file)))
    key_file = stage.data_dir / RSA_SIGNING_KEY_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert not (stage.data_dir / SIGNING_KEY_FILE).exists()
    with httpx.Client(base_url=stage.api_url, timeout=30.0) as api:
        ada = add_account(stage)
        token = sign_in(api, "AdaLovelace").json()["accessToken"]
        header = jwt.get_unverified_header(token)
        assert header["alg"] == "RS256"
        assert verified_claims(api, token, "RS256")["sub"] == ada.user_id
        me = api.get(ME.path, headers={"authorization": f"Bearer {token}"})
        assert me.status_code == 200, me.text
        assert me.json()["userId"] == ada.user_id
        payload = jwt.decode(token, options={"verify_signature": False})
        forged = jwt.encode(
            payload, ec.generate_private_key(ec.SECP256R1()), "ES256", {"kid": header["kid"]}
        )
        refused = api.get(ME.path, headers={"authorization": f"Bearer {forged}"})
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith("Bearer")


def test_refresh_rotation_reuse_and_sign_out(stage: LocalStageProcess, api: httpx.Client) -> None:
    add_account(stage)
    first = sign_in(api, "AdaLovelace").json()["refreshToken"]
    second = api.post(REFRESH_SESSION.path, json={"refreshToken": first})
    assert second.status_code == 200, second.text
    newest = second.json()["refreshToken"]
    reused = api.post(REFRESH_SESSION.path, json={"refreshToken": first})
    assert (reused.status_code, reused.json()["errors"][0]["code"]) == (
        401,
        "refresh_token_invalid",
    )
    assert api.post(REFRESH_SESSION.path, json={"refreshToken": newest}).status_code == 401
    other = sign_in(api, "AdaLovelace").json()["refreshToken"]
    assert api.post(SIGN_OUT.path, json={"refreshToken": other}).status_code == 204
    assert api.post(REFRESH_SESSION.path, json={"refreshToken": other}).status_code == 401


def test_thirty_guesses_from_one_client_spare_the_owner_elsewhere(
    stage: LocalStageProcess, api: httpx.Client
) -> None:
    add_account(stage)
    secret = (stage.data_dir / CLIENT_ADDRESS_SECRET_FILE).read_text().strip()
    register_secret(secret, "the client-address secret")

    def from_client(address: str, password: str) -> httpx.Response:
        headers = {FORWARDED_ADDRESS: address, FORWARDED_SECRET: secret}
        body = {"login": "AdaLovelace", "password": password}
        return api.post(SIGN_IN.path, json=body, headers=headers)

    guesses = [from_client("203.0.113.9", WRONG_PASSWORD).status_code for _ in range(30)]
    assert guesses[:5] == [401] * 5
    assert set(guesses[5:]) == {429}
    assert from_client("198.51.100.4", PASSWORD).status_code == 200


def test_sign_in_after_the_real_sign_up_and_confirmation(
    stage: LocalStageProcess, api: httpx.Client
) -> None:
    body = unique_signup()
    assert api.post(CREATE_USER.path, json=body).status_code == 200
    pending = sign_in(api, body["username"], body["password"])
    assert (pending.status_code, pending.json()["errors"][0]["code"]) == (403, "email_unverified")
    wrong = sign_in(api, body["username"], WRONG_PASSWORD)
    assert (wrong.status_code, wrong.json()["errors"][0]["code"]) == (401, "credentials_invalid")
    outbox_settled(stage)
    mails = [m for m in read_outbox(stage.data_dir / MAIL_DIR) if m["To"] == body["email"]]
    token = token_in([m for m in mails if "verify?token=" in str(m)][-1])
    confirm = {"token": token, "password": body["password"]}
    assert api.post(VERIFY_EMAIL.path, json=confirm).status_code == 200
    for login in (body["username"].upper(), body["email"]):
        reply = sign_in(api, login, body["password"])
        assert reply.status_code == 200, reply.text
        claims = verified_claims(api, reply.json()["accessToken"])
        assert (claims["username"], claims["email"]) == (body["username"], body["email"])
