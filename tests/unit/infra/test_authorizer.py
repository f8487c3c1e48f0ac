"""infra/local/authorizer.py: the local JWT authorizer refuses what API Gateway's would."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from infra.local.authorizer import JwtAuthorizer, TokenRefused, unauthorized, with_claims
from tests.support.events import api_event

ISSUER = "http://127.0.0.1:8080"
AUDIENCE = "signup-local"
KEY = ec.generate_private_key(ec.SECP256R1())
OTHER_KEY = ec.generate_private_key(ec.SECP256R1())


class _Keys:
    """The issuer's JWKS, without the HTTP: PyJWKClient's one method the authorizer calls."""

    def get_signing_key(self, kid: str) -> jwt.PyJWK:
        if kid != "k1":
            raise jwt.PyJWKClientError(f"no key {kid}")
        return jwt.PyJWK.from_dict(
            {**jwt.algorithms.ECAlgorithm.to_jwk(KEY.public_key(), as_dict=True), "kid": "k1"}
        )


def _authorizer() -> JwtAuthorizer:
    return JwtAuthorizer(ISSUER, AUDIENCE, _keys=_Keys())  # type: ignore[arg-type]


def _token(key: Any = KEY, alg: str = "ES256", kid: str = "k1", **changes: Any) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "u1", "iat": now, "exp": now + 900}
    return jwt.encode({**claims, **changes}, key, alg, {"kid": kid})


def test_authorizer_accepts_the_stage_token_with_or_without_bearer() -> None:
    token = _token()
    assert _authorizer().claims({"authorization": f"Bearer {token}"})["sub"] == "u1"
    assert _authorizer().claims({"authorization": token})["sub"] == "u1"


def _bearer(**token: Any) -> dict[str, str]:
    return {"authorization": "Bearer " + _token(**token)}


# Each case's headers are made when it runs, not when the tests are collected: a token made
# at collection could expire before a long session reaches it (its lifetime is 15 minutes).
@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        (dict, "no token"),
        (lambda: {"authorization": "Bearer "}, "no token"),
        (lambda: {"authorization": "Bearer not.a.jwt"}, "not valid"),
        (lambda: _bearer(alg="none", key=None), "algorithm"),
        (lambda: _bearer(alg="HS256", key="k" * 32), "algorithm"),
        (lambda: _bearer(key=OTHER_KEY), "not valid"),
        (lambda: _bearer(kid="k2"), "not valid"),
        (lambda: _bearer(exp=int(time.time()) - 1), "expired"),
        (lambda: _bearer(aud="other"), "audience"),
        (lambda: _bearer(iss="https://evil.example"), "issuer"),
    ],
    ids=[
        "none",
        "empty",
        "malformed",
        "alg-none",
        "hs256",
        "forged",
        "unknown-kid",
        "expired",
        "audience",
        "issuer",
    ],
)
def test_authorizer_refuses(headers: Callable[[], dict[str, str]], reason: str) -> None:
    with pytest.raises(TokenRefused, match=reason):
        _authorizer().claims(headers())


RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class _RsaKeys:
    """An RS256 stage's JWKS: one RSA key, `k1`."""

    def get_signing_key(self, kid: str) -> jwt.PyJWK:
        if kid != "k1":
            raise jwt.PyJWKClientError(f"no key {kid}")
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(RSA_KEY.public_key(), as_dict=True)
        return jwt.PyJWK.from_dict({**jwk, "kid": "k1", "alg": "RS256"})


def _rs256_authorizer() -> JwtAuthorizer:
    return JwtAuthorizer(ISSUER, AUDIENCE, "RS256", _keys=_RsaKeys())  # type: ignore[arg-type]


def test_authorizer_pinned_to_rs256_accepts_the_stage_rs256_token() -> None:
    token = _token(key=RSA_KEY, alg="RS256")
    assert _rs256_authorizer().claims({"authorization": f"Bearer {token}"})["sub"] == "u1"


@pytest.mark.parametrize(
    "token",
    [
        _token(),  # ES256: the other algorithm, even from a key the issuer might hold
        _token(key=OTHER_KEY),
        _token(alg="none", key=None),
        _token(alg="HS256", key="k" * 32),
        _token(alg="PS256", key=RSA_KEY),
    ],
    ids=["es256", "es256-forged", "alg-none", "hs256", "ps256"],
)
def test_authorizer_pinned_to_rs256_refuses_every_other_algorithm(token: str) -> None:
    with pytest.raises(TokenRefused, match="algorithm"):
        _rs256_authorizer().claims({"authorization": f"Bearer {token}"})


def test_authorizer_pinned_to_es256_refuses_rs256() -> None:
    with pytest.raises(TokenRefused, match="algorithm"):
        _authorizer().claims({"authorization": _token(key=RSA_KEY, alg="RS256")})


def test_authorizer_refusal_is_api_gateway_401() -> None:
    response = unauthorized("the token has expired")
    headers = dict(response.headers)
    assert response.status == 401
    assert response.body == b'{"message":"Unauthorized"}'
    assert headers["www-authenticate"].startswith('Bearer scope="" error="invalid_token"')


def test_authorizer_claims_go_where_api_gateway_puts_them() -> None:
    event = with_claims(api_event(), {"sub": "u1", "exp": 5})
    assert event["requestContext"]["authorizer"]["jwt"]["claims"] == {"sub": "u1", "exp": "5"}
