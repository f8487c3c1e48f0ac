"""Access tokens: short-lived JWTs (ES256, or the stage's RS256) that any JWT verifier accepts.

The token is a compact JWS (RFC 7515) built here and signed by the stage's
signer; verifying is left to the verifiers, which check `iss`, `aud`, `exp`
and the signature against the stage's JWKS. The discovery document names
the JWKS, so an issuer URL is all a verifier is given.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from backend.signing import TokenSigner, b64url
from contract.routes import JWKS

TOKEN_TYPE: Final = "Bearer"  # noqa: S105 - RFC 6750's scheme name, not a secret


@dataclass(frozen=True, slots=True)
class Subject:
    """Whom a token speaks for: the claims beyond the registered ones."""

    user_id: str
    username: str
    email: str


@dataclass(frozen=True, slots=True)
class AccessTokens:
    """The stage's issuer, audience and token lifetime, and the key that signs."""

    signer: TokenSigner
    issuer: str
    audience: str
    lifetime_seconds: int

    def issue(
        self, subject: Subject, *, now: int, new_id: Callable[[], str] = lambda: uuid.uuid4().hex
    ) -> str:
        """A signed token for `subject`, valid from `now` for the stage's lifetime."""
        header = {"alg": self.signer.algorithm, "typ": "JWT", "kid": self.signer.key_id}
        claims = {
            "iss": self.issuer,
            "sub": subject.user_id,
            "aud": self.audience,
            "iat": now,
            "exp": now + self.lifetime_seconds,
            "jti": new_id(),
            "username": subject.username,
            "email": subject.email,
        }
        signing_input = f"{_segment(header)}.{_segment(claims)}"
        signature = self.signer.sign(signing_input.encode("ascii"))
        return f"{signing_input}.{b64url(signature)}"

    def discovery(self) -> dict[str, Any]:
        """The OpenID discovery document's fields that a verifier of these tokens reads."""
        return {
            "issuer": self.issuer,
            "jwks_uri": f"{self.issuer}{JWKS.path}",
            "id_token_signing_alg_values_supported": [self.signer.algorithm],
            "subject_types_supported": ["public"],
            "response_types_supported": ["token"],
        }

    def jwks(self) -> dict[str, Any]:
        """The public keys that verify the tokens, each with its `kid`."""
        return {"keys": self.signer.public_keys()}


def _segment(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
