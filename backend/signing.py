"""The key that signs access tokens: an asymmetric KMS key whose private half never leaves KMS.

A signer signs a JWS signing input and lists its public keys as a JWKS, with
the stage's algorithm (`contract/signing.py`: ES256 by default, or RS256).
For ES256, KMS returns an ECDSA signature DER-encoded; JWS (RFC 7518, section
3.4) wants the two 32-byte integers r and s side by side, so it is converted
here. For RS256, KMS returns the PKCS #1 v1.5 signature itself, which is the
JWS signature (RFC 7518, section 3.3). The local stage has a signer of its
own with the same shape (`infra/local/signing_key.py`).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final, Protocol

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as EndpointUnreachable

from backend.errors import SigningUnavailable
from contract.signing import DEFAULT_SIGNING_ALGORITHM, ES256, RS256, SigningAlgorithm

# The default stage's JWS and KMS names (contract/signing.py holds them all).
ALGORITHM: Final = ES256.name
KMS_SIGNING_ALGORITHM: Final = ES256.kms_algorithm
_COORDINATE_BYTES: Final = 32
# KMS failures that mean "try again later"; any other error (access denied,
# a wrong key id) is a misconfiguration and stays a 500 with its traceback.
_RETRYABLE: Final = frozenset(
    {"DependencyTimeoutException", "KMSInternalException", "ThrottlingException"}
)
Jwk = dict[str, str]
# A P-256 public key in X.509 SubjectPublicKeyInfo DER (what kms:GetPublicKey
# returns) is always these bytes (RFC 5480: id-ecPublicKey, prime256v1, an
# uncompressed point) followed by X and Y: a fixed shape, read without a
# parser. Reading it and the signatures here keeps `cryptography` (a native
# library, slow to import) off an ES256 stage's cold starts; the tests verify
# the result with PyJWT. An RSA key's modulus and exponent vary in length, so
# `rsa_public_jwk` walks its DER instead (a few lines, no crypto: only lengths).
P256_SPKI_PREFIX: Final = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d03010703420004")
# RFC 7518, 3.3: RS256 keys must be 2048 bits or larger.
_MIN_RSA_BITS: Final = 2048
_MIN_RSA_EXPONENT: Final = 3
# The DER of an RSA SubjectPublicKeyInfo (RFC 3279, 2.3.1) needs only these.
_SEQUENCE: Final = 0x30
_INTEGER: Final = 0x02
_BIT_STRING: Final = 0x03
_RSA_ENCRYPTION_OID: Final = bytes.fromhex("06092a864886f70d010101")  # 1.2.840.113549.1.1.1
_MAX_LENGTH_BYTES: Final = 4


class TokenSigner(Protocol):
    """Signs JWS signing inputs with one key and publishes the public keys that verify them."""

    @property
    def key_id(self) -> str:
        """The `kid` of the key that signs now."""

    @property
    def algorithm(self) -> str:
        """The JWS `alg` of its signatures (ES256 or RS256)."""

    def sign(self, message: bytes) -> bytes:
        """The JWS signature of `message` (for ES256: r and s, 32 bytes each)."""

    def public_keys(self) -> list[Jwk]:
        """The JWKS's keys: the signing key first, then any still-trusted previous ones."""


def b64url(data: bytes) -> str:
    """Base64url without padding, as JOSE writes every binary value."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jws_signature(der: bytes) -> bytes:
    """A DER ECDSA signature (as KMS returns it: SEQUENCE of INTEGER r, s) as JWS's r||s."""
    if len(der) < 8 or der[0] != 0x30 or der[1] != len(der) - 2:
        raise ValueError("not a DER ECDSA signature")
    r, rest = _der_integer(der[2:])
    s, rest = _der_integer(rest)
    if rest:
        raise ValueError("trailing bytes after the DER ECDSA signature")
    return r + s


def _der_integer(data: bytes) -> tuple[bytes, bytes]:
    """One DER INTEGER of a P-256 signature, as 32 big-endian bytes, and what follows it."""
    if len(data) < 2 or data[0] != 0x02 or not 1 <= data[1] <= _COORDINATE_BYTES + 1:
        raise ValueError("not a DER INTEGER of a P-256 signature")
    length = data[1]
    value = data[2 : 2 + length].lstrip(b"\x00")
    if len(data) < 2 + length or len(value) > _COORDINATE_BYTES:
        raise ValueError("a DER INTEGER out of range for P-256")
    return value.rjust(_COORDINATE_BYTES, b"\x00"), data[2 + length :]


def public_jwk(spki: bytes, kid: str) -> Jwk:
    """A P-256 public key (SubjectPublicKeyInfo DER) as a JWK (RFC 7518, 6.2): no private part."""
    point = spki.removeprefix(P256_SPKI_PREFIX)
    if len(spki) != len(P256_SPKI_PREFIX) + 2 * _COORDINATE_BYTES or point == spki:
        raise ValueError("not a P-256 public key: ES256 needs one")
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url(point[:_COORDINATE_BYTES]),
        "y": b64url(point[_COORDINATE_BYTES:]),
        "kid": kid,
        "use": "sig",
        "alg": ALGORITHM,
    }


def rsa_public_jwk(spki: bytes, kid: str) -> Jwk:
    """An RSA public key (SubjectPublicKeyInfo DER) of 2048 bits or more as an RS256 JWK
    (RFC 7518, 6.3.1): the modulus and exponent as unsigned big-endian bytes, no private part."""
    refused = "not an RSA public key of 2048 bits or more: RS256 needs one"
    try:
        modulus, exponent = _rsa_numbers(spki)
    except ValueError as exc:
        raise ValueError(f"{refused} ({exc})") from exc
    if modulus.bit_length() < _MIN_RSA_BITS or exponent < _MIN_RSA_EXPONENT:
        raise ValueError(refused)
    return {
        "kty": "RSA",
        "n": b64url(_unsigned(modulus)),
        "e": b64url(_unsigned(exponent)),
        "kid": kid,
        "use": "sig",
        "alg": RS256.name,
    }


def _rsa_numbers(spki: bytes) -> tuple[int, int]:
    """n and e of an RSA SubjectPublicKeyInfo (RFC 3279, 2.3.1): SEQUENCE { SEQUENCE {
    rsaEncryption, NULL }, BIT STRING { RSAPublicKey: SEQUENCE { INTEGER n, INTEGER e } } }.

    Read with the few DER rules that shape needs (definite lengths, short or long
    form), so the Lambda zip carries no native crypto library for it; the tests
    check the result against `cryptography` and PyJWT."""
    outer, rest = _der_element(spki, _SEQUENCE)
    if rest:
        raise ValueError("trailing bytes after the public key")
    algorithm, outer = _der_element(outer, _SEQUENCE)
    if not algorithm.startswith(_RSA_ENCRYPTION_OID):
        raise ValueError("not an RSA public key (rsaEncryption)")
    bits, outer = _der_element(outer, _BIT_STRING)
    if outer or not bits.startswith(b"\x00"):
        raise ValueError("not an RSA public key (its BIT STRING)")
    numbers, rest = _der_element(bits[1:], _SEQUENCE)
    modulus, numbers = _der_element(numbers, _INTEGER)
    exponent, numbers = _der_element(numbers, _INTEGER)
    if numbers or rest:
        raise ValueError("trailing bytes in the RSA public key")
    return int.from_bytes(modulus, "big"), int.from_bytes(exponent, "big")


def _der_element(data: bytes, tag: int) -> tuple[bytes, bytes]:
    """The contents of the DER element of `tag` at the start of `data`, and what follows it."""
    if len(data) < 2 or data[0] != tag:
        raise ValueError(f"expected DER tag {tag:#04x}")
    length, offset = data[1], 2
    if length & 0x80:  # long form: the next (length & 0x7f) bytes hold the length
        size = length & 0x7F
        if not 1 <= size <= _MAX_LENGTH_BYTES or len(data) < offset + size:
            raise ValueError("a DER length out of range")
        length, offset = int.from_bytes(data[offset : offset + size], "big"), offset + size
    if len(data) < offset + length:
        raise ValueError("a DER element longer than its data")
    return data[offset : offset + length], data[offset + length :]


def _unsigned(value: int) -> bytes:
    # RFC 7518, 6.3.1: the minimum number of octets, no leading zero.
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


class KmsSigner:
    """A `SIGN_VERIFY` KMS key of the stage's algorithm (`ECC_NIST_P256` for ES256, `RSA_2048`
    for RS256); its public keys are read once per container."""

    def __init__(
        self,
        client: Any,
        key_id: str,
        *,
        previous_key_ids: Sequence[str] = (),
        algorithm: SigningAlgorithm = DEFAULT_SIGNING_ALGORITHM,
    ) -> None:
        self._client = client
        self._key_id = key_id
        self._previous = tuple(k for k in previous_key_ids if k and k != key_id)
        self._algorithm = algorithm
        self._jwks: list[Jwk] | None = None

    @property
    def key_id(self) -> str:
        """The KMS key id doubles as the `kid`: it names the key and is no secret."""
        return self._key_id

    @property
    def algorithm(self) -> str:
        """The stage's JWS algorithm."""
        return self._algorithm.name

    def sign(self, message: bytes) -> bytes:
        """Sign in KMS; `RAW` makes KMS hash the message with SHA-256 itself."""
        with _translated():
            answer = self._client.sign(
                KeyId=self._key_id,
                Message=message,
                MessageType="RAW",
                SigningAlgorithm=self._algorithm.kms_algorithm,
            )
        signature = bytes(answer["Signature"])
        return jws_signature(signature) if self._algorithm == ES256 else signature

    def public_keys(self) -> list[Jwk]:
        """Each key's public half from kms:GetPublicKey, kept for the container's life."""
        if self._jwks is None:
            self._jwks = [self._public_jwk(kid) for kid in (self._key_id, *self._previous)]
        return self._jwks

    def _public_jwk(self, kid: str) -> Jwk:
        with _translated():
            answer: Any = self._client.get_public_key(KeyId=kid)
        spki = bytes(answer["PublicKey"])
        return public_jwk(spki, kid) if self._algorithm == ES256 else rsa_public_jwk(spki, kid)


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
