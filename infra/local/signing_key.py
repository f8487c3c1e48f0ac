"""The local stage's token-signing key: a key file in the data directory, standing in for KMS.

It is generated once (mode 0600, like the pepper), never logged, and signs
the same tokens the KMS key signs on AWS, behind the same interface
(`backend.signing.TokenSigner`): a P-256 key for ES256 (the default), or,
when the stage's stack file says `tokenAlgorithm: RS256`, an RSA 2048 key in
a file of its own (so switching the stack file never reads the other kind).
Its `kid` is its RFC 7638 thumbprint.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from backend.signing import Jwk, jws_signature, public_jwk, rsa_public_jwk
from contract.signing import DEFAULT_SIGNING_ALGORITHM, ES256, SigningAlgorithm

SIGNING_KEY_FILE: Final = "token-signing-key.pem"
RSA_SIGNING_KEY_FILE: Final = "token-signing-key-rs256.pem"
_MODE: Final = 0o600
_RSA_BITS: Final = 2048
# RFC 7638's required members per key type, in lexicographic order.
_THUMBPRINT_MEMBERS: Final = {"EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n")}
PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


class LocalSigner:
    """Signs with the data directory's key; its repr shows only the key id."""

    def __init__(self, key: PrivateKey) -> None:
        self._key = key
        spki = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self._jwk = public_jwk(spki, "") if _is_ec(key) else rsa_public_jwk(spki, "")
        self._jwk["kid"] = _thumbprint(self._jwk)

    def __repr__(self) -> str:
        return f"LocalSigner(kid={self.key_id!r})"

    @property
    def key_id(self) -> str:
        """The public key's thumbprint."""
        return self._jwk["kid"]

    @property
    def algorithm(self) -> str:
        """ES256 for the P-256 key, RS256 for the RSA one."""
        return self._jwk["alg"]

    def sign(self, message: bytes) -> bytes:
        """The JWS signature over `message`: r||s for ES256, PKCS #1 v1.5 for RS256."""
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            return jws_signature(self._key.sign(message, ec.ECDSA(hashes.SHA256())))
        return self._key.sign(message, padding.PKCS1v15(), hashes.SHA256())

    def public_keys(self) -> list[Jwk]:
        """The one public key."""
        return [dict(self._jwk)]


def load_or_create_signer(
    data_dir: Path, algorithm: SigningAlgorithm = DEFAULT_SIGNING_ALGORITHM
) -> LocalSigner:
    """The signer of `data_dir`'s key for `algorithm`, made on first use (tokens survive a
    restart with it)."""
    path = data_dir / (SIGNING_KEY_FILE if algorithm == ES256 else RSA_SIGNING_KEY_FILE)
    try:
        # O_EXCL: two stages starting at once cannot both write a key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _MODE)
    except FileExistsError:
        path.chmod(_MODE)
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(loaded, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) or (
            _is_ec(loaded) != (algorithm == ES256)
        ):
            message = f"{path} is not an {algorithm.name} key; delete it to make a new one"
            raise ValueError(message) from None
        return LocalSigner(loaded)
    key: PrivateKey = (
        ec.generate_private_key(ec.SECP256R1())
        if algorithm == ES256
        else rsa.generate_private_key(public_exponent=65537, key_size=_RSA_BITS)
    )
    with os.fdopen(fd, "wb") as out:
        out.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return LocalSigner(key)


def _is_ec(key: PrivateKey) -> bool:
    return isinstance(key, ec.EllipticCurvePrivateKey)


def _thumbprint(jwk: Jwk) -> str:
    # RFC 7638: the required members, in lexicographic order, no whitespace.
    members = {name: jwk[name] for name in _THUMBPRINT_MEMBERS[jwk["kty"]]}
    digest = hashlib.sha256(json.dumps(members, separators=(",", ":")).encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
