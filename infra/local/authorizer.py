"""The local stand-in for API Gateway's JWT authorizer, verifying with PyJWT (not by hand).

Like the authorizer (API Gateway developer guide, "Control access to HTTP APIs
with JWT authorizers"), it reads the token from the Authorization header,
with or without `Bearer `, finds the issuer's keys through its discovery
document's `jwks_uri`, checks the signature with the key named by `kid`,
then `iss`, `aud`, `exp`, `nbf` and `iat`; and it hands the claims to the
function as `requestContext.authorizer.jwt.claims`. A refusal is the
authorizer's own 401 `{"message":"Unauthorized"}` with a `www-authenticate`
header that says why. The algorithm is pinned to the stage's one (ES256, or
RS256 when its stack file says so; never both), so `alg: none`, an HMAC keyed
with the public key and the other algorithm are refused before any key is
looked at.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Final

import jwt

from contract.headers import AUTHORIZATION, WWW_AUTHENTICATE
from contract.routes import OPENID_CONFIGURATION
from contract.signing import DEFAULT_SIGNING_ALGORITHM
from infra.local.events import HttpResponse

REQUIRED_CLAIMS: Final = ("exp", "iat", "iss", "aud", "sub")
_FETCH_TIMEOUT: Final = 5.0
# API Gateway caches an issuer's keys for up to an hour (developer guide,
# "Signing keys and troubleshooting JWT authorizers"), and fetches them again
# when a token names a key it has not seen: PyJWKClient does both.
_KEY_CACHE_SECONDS: Final = 3600


class TokenRefused(Exception):
    """The request carries no token the authorizer accepts; the message is for the header."""


def unauthorized(reason: str) -> HttpResponse:
    """The authorizer's refusal, as API Gateway sends it."""
    challenge = f'Bearer scope="" error="invalid_token" error_description="{reason}"'
    return HttpResponse(
        401,
        (("content-type", "application/json"), (WWW_AUTHENTICATE, challenge)),
        b'{"message":"Unauthorized"}',
    )


@dataclass
class JwtAuthorizer:
    """One issuer and audience, like an authorizer's `jwt_configuration`, and the one algorithm."""

    issuer: str
    audience: str
    # The stage's JWS algorithm (contract/signing.py), the only one accepted.
    algorithm: str = DEFAULT_SIGNING_ALGORITHM.name
    _keys: jwt.PyJWKClient | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def claims(self, headers: dict[str, str]) -> dict[str, Any]:
        """The verified token's claims, or TokenRefused."""
        token = _bearer_token(headers.get(AUTHORIZATION, ""))
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != self.algorithm:
                raise TokenRefused("the token's algorithm is not allowed")
            key = self._key_client().get_signing_key(str(header.get("kid") or ""))
            return dict(
                jwt.decode(
                    token,
                    key.key,
                    algorithms=[self.algorithm],
                    audience=self.audience,
                    issuer=self.issuer,
                    options={"require": list(REQUIRED_CLAIMS)},
                )
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenRefused("the token has expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise TokenRefused("the token does not have a valid audience") from exc
        except jwt.InvalidIssuerError as exc:
            raise TokenRefused("the token does not have a valid issuer") from exc
        except (jwt.PyJWTError, ValueError) as exc:
            raise TokenRefused("the token is not valid") from exc
        except (OSError, KeyError) as exc:  # the issuer's documents could not be read
            raise TokenRefused("the issuer's keys are unavailable") from exc

    def _key_client(self) -> jwt.PyJWKClient:
        with self._lock:
            if self._keys is None:
                self._keys = jwt.PyJWKClient(
                    self._jwks_uri(), lifespan=_KEY_CACHE_SECONDS, timeout=int(_FETCH_TIMEOUT)
                )
            return self._keys

    def _jwks_uri(self) -> str:
        url = f"{self.issuer}{OPENID_CONFIGURATION.path}"
        with urllib.request.urlopen(url, timeout=_FETCH_TIMEOUT) as answer:  # noqa: S310 - the stage's own https-or-loopback issuer URL
            return str(json.load(answer)["jwks_uri"])


def with_claims(event: dict[str, Any], claims: dict[str, Any]) -> dict[str, Any]:
    """The event with the claims where API Gateway puts them (values as strings, as it sends)."""
    flat = {
        name: value if isinstance(value, str) else json.dumps(value)
        for name, value in claims.items()
    }
    event["requestContext"]["authorizer"] = {"jwt": {"claims": flat, "scopes": None}}
    return event


def _bearer_token(value: str) -> str:
    scheme, _, rest = value.strip().partition(" ")
    token = rest.strip() if scheme.lower() == "bearer" else value.strip()
    if not token:
        raise TokenRefused("no token")
    return token
