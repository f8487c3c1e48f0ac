"""The key that signs access tokens: an asymmetric KMS key whose private half never leaves KMS.

A signer signs a JWS signing input and lists its public keys as a JWKS. KMS
returns an ECDSA signature DER-encoded; JWS (RFC 7518, section 3.4) wants the
two 32-byte integers r and s side by side, so it is converted here. The
local stage has a signer of its own with the same shape
(`infra/local/signing_key.py`).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final, Protocol

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as EndpointUnreachable
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import load_der_public_key

from backend.errors import SigningUnavailable

ALGORITHM: Final = "ES256"
# KMS's names for the key and the algorithm that make ES256: P-256 and SHA-256.
KMS_SIGNING_ALGORITHM: Final = "ECDSA_SHA_256"
_COORDINATE_BYTES: Final = 32
# KMS failures that mean "try again later"; any other error (access denied,
# a wrong key id) is a misconfiguration and stays a 500 with its traceback.
_RETRYABLE: Final = frozenset(
    {"DependencyTimeoutException", "KMSInternalException", "ThrottlingException"}
)
Jwk = dict[str, str]


class TokenSigner(Protocol):
    """Signs JWS signing inputs with one key and publishes the public keys that verify them."""

    @property
    def key_id(self) -> str:
        """The `kid` of the key that signs now."""

    def sign(self, message: bytes) -> bytes:
        """The ES256 signature of `message`: r and s, 32 bytes each."""

    def public_keys(self) -> list[Jwk]:
        """The JWKS's keys: the signing key first, then any still-trusted previous ones."""


def b64url(data: bytes) -> str:
    """Base64url without padding, as JOSE writes every binary value."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jws_signature(der: bytes) -> bytes:
    """A DER ECDSA signature (as KMS and `cryptography` return it) as JWS's r||s."""
    r, s = decode_dss_signature(der)
    return r.to_bytes(_COORDINATE_BYTES, "big") + s.to_bytes(_COORDINATE_BYTES, "big")


def public_jwk(key: ec.EllipticCurvePublicKey, kid: str) -> Jwk:
    """A P-256 public key as a JWK (RFC 7518, section 6.2): coordinates only, nothing private."""
    if not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("ES256 needs a P-256 key")
    numbers = key.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url(numbers.x.to_bytes(_COORDINATE_BYTES, "big")),
        "y": b64url(numbers.y.to_bytes(_COORDINATE_BYTES, "big")),
        "kid": kid,
        "use": "sig",
        "alg": ALGORITHM,
    }


class KmsSigner:
    """An `ECC_NIST_P256` `SIGN_VERIFY` KMS key; its public keys are read once per container."""

    def __init__(self, client: Any, key_id: str, *, previous_key_ids: Sequence[str] = ()) -> None:
        self._client = client
        self._key_id = key_id
        self._previous = tuple(k for k in previous_key_ids if k and k != key_id)
        self._jwks: list[Jwk] | None = None

    @property
    def key_id(self) -> str:
        """The KMS key id doubles as the `kid`: it names the key and is no secret."""
        return self._key_id

    def sign(self, message: bytes) -> bytes:
        """Sign in KMS; `RAW` makes KMS hash the message with SHA-256 itself."""
        with _translated():
            answer = self._client.sign(
                KeyId=self._key_id,
                Message=message,
                MessageType="RAW",
                SigningAlgorithm=KMS_SIGNING_ALGORITHM,
            )
        return jws_signature(answer["Signature"])

    def public_keys(self) -> list[Jwk]:
        """Each key's public half from kms:GetPublicKey, kept for the container's life."""
        if self._jwks is None:
            self._jwks = [self._public_jwk(kid) for kid in (self._key_id, *self._previous)]
        return self._jwks

    def _public_jwk(self, kid: str) -> Jwk:
        with _translated():
            answer: Any = self._client.get_public_key(KeyId=kid)
        key = load_der_public_key(answer["PublicKey"])
        if not isinstance(key, ec.EllipticCurvePublicKey):
            raise TypeError(f"KMS key {kid} is not an elliptic-curve key")
        return public_jwk(key, kid)


@contextmanager
def _translated() -> Iterator[None]:
    """KMS's retryable failures as SigningUnavailable (a 503 with Retry-After)."""
    try:
        yield
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in _RETRYABLE:
            raise SigningUnavailable(code) from exc
        raise
    except (EndpointUnreachable, HTTPClientError) as exc:
        raise SigningUnavailable(type(exc).__name__) from exc
