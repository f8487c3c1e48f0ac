"""The local stage's token-signing key: a P-256 key in the data directory, standing in for KMS.

It is generated once (mode 0600, like the pepper), never logged, and signs
the same ES256 tokens the KMS key signs on AWS, behind the same interface
(`backend.signing.TokenSigner`). Its `kid` is its RFC 7638 thumbprint.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from backend.signing import Jwk, jws_signature, public_jwk

SIGNING_KEY_FILE: Final = "token-signing-key.pem"
_MODE: Final = 0o600


class LocalSigner:
    """Signs with the data directory's key; its repr shows only the key id."""

    def __init__(self, key: ec.EllipticCurvePrivateKey) -> None:
        self._key = key
        spki = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self._jwk = public_jwk(spki, "")
        self._jwk["kid"] = _thumbprint(self._jwk)

    def __repr__(self) -> str:
        return f"LocalSigner(kid={self.key_id!r})"

    @property
    def key_id(self) -> str:
        """The public key's thumbprint."""
        return self._jwk["kid"]

    def sign(self, message: bytes) -> bytes:
        """ES256 over `message`, as r||s."""
        return jws_signature(self._key.sign(message, ec.ECDSA(hashes.SHA256())))

    def public_keys(self) -> list[Jwk]:
        """The one public key."""
        return [dict(self._jwk)]


def load_or_create_signer(data_dir: Path) -> LocalSigner:
    """The signer of `data_dir`'s key, made on first use (tokens survive a restart with it)."""
    path = data_dir / SIGNING_KEY_FILE
    try:
        # O_EXCL: two stages starting at once cannot both write a key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _MODE)
    except FileExistsError:
        path.chmod(_MODE)
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(loaded, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{path} is not an EC key; delete it to make a new one") from None
        return LocalSigner(loaded)
    key = ec.generate_private_key(ec.SECP256R1())
    with os.fdopen(fd, "wb") as out:
        out.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return LocalSigner(key)


def _thumbprint(jwk: Jwk) -> str:
    # RFC 7638: the required members, in lexicographic order, no whitespace.
    members = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    digest = hashlib.sha256(json.dumps(members, separators=(",", ":")).encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
