"""backend/signing.py: KMS's answers turned into JOSE's forms, checked against `cryptography`."""

from __future__ import annotations

import base64
import subprocess
import sys

import boto3
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from moto import mock_aws

from backend.errors import SigningUnavailable
from backend.signing import KmsSigner, jws_signature, public_jwk, rsa_public_jwk
from contract.signing import KEY_USAGE, RS256


def test_jws_signature_is_r_and_s_as_32_bytes_each() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    for n in range(200):  # short r and s (leading zeros) turn up in a few hundred
        der = key.sign(f"message {n}".encode(), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        assert jws_signature(der) == r.to_bytes(32, "big") + s.to_bytes(32, "big")
    small = encode_dss_signature(1, 2)
    assert jws_signature(small) == (1).to_bytes(32, "big") + (2).to_bytes(32, "big")


@pytest.mark.parametrize(
    "der",
    [b"", b"\x30\x00", encode_dss_signature(1, 2) + b"\x00", encode_dss_signature(2**300, 1)],
)
def test_jws_signature_refuses_what_is_not_a_p256_signature(der: bytes) -> None:
    with pytest.raises(ValueError, match="DER"):
        jws_signature(der)


def test_public_jwk_holds_the_coordinates_only() -> None:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    spki = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    jwk = public_jwk(spki, "kid-1")
    assert set(jwk) == {"kty", "crv", "x", "y", "kid", "use", "alg"}
    assert (
        ec.EllipticCurvePublicNumbers(
            int.from_bytes(_unb64(jwk["x"])), int.from_bytes(_unb64(jwk["y"])), ec.SECP256R1()
        )
        == key.public_numbers()
    )


def test_public_jwk_refuses_another_curve() -> None:
    other = ec.generate_private_key(ec.SECP384R1()).public_key()
    spki = other.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(ValueError, match="P-256"):
        public_jwk(spki, "kid")


def test_rsa_public_jwk_holds_the_modulus_and_exponent_only() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    jwk = rsa_public_jwk(_spki(key), "kid-1")
    assert set(jwk) == {"kty", "n", "e", "kid", "use", "alg"}
    assert (jwk["kty"], jwk["alg"], jwk["use"], jwk["e"]) == ("RSA", "RS256", "sig", "AQAB")
    n = _unb64(jwk["n"])
    assert len(n) == 256 and n[0] != 0  # RFC 7518, 6.3.1: no leading zero octet
    assert rsa.RSAPublicNumbers(65537, int.from_bytes(n)) == key.public_numbers()


@pytest.mark.parametrize(("size", "exponent"), [(3072, 65537), (4096, 65537), (2048, 3)])
def test_rsa_public_jwk_reads_any_size_and_exponent(size: int, exponent: int) -> None:
    # Longer keys take two-byte DER lengths; the exponent is read, not assumed.
    key = rsa.generate_private_key(public_exponent=exponent, key_size=size).public_key()
    jwk = rsa_public_jwk(_spki(key), "kid")
    n, e = (int.from_bytes(_unb64(jwk[name])) for name in ("n", "e"))
    assert rsa.RSAPublicNumbers(e, n) == key.public_numbers()


@pytest.mark.parametrize("cut", [1, 10, 100])
def test_rsa_public_jwk_refuses_a_cut_or_padded_key(cut: int) -> None:
    spki = _spki(rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key())
    for damaged in (spki[:-cut], spki + b"\x00" * cut):
        with pytest.raises(ValueError, match="RS256"):
            rsa_public_jwk(damaged, "kid")


@pytest.mark.parametrize(
    "key",
    [
        ec.generate_private_key(ec.SECP256R1()).public_key(),
        # Too short for RS256 (RFC 7518, 3.3): the point of the test.
        rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key(),  # noqa: S505
    ],
)
def test_rsa_public_jwk_refuses_what_rs256_cannot_use(
    key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey,
) -> None:
    with pytest.raises(ValueError, match="RS256"):
        rsa_public_jwk(_spki(key), "kid")


def test_kms_signer_signs_rs256_with_kms_s_pkcs1_signature_as_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        kms = boto3.client("kms", region_name="us-east-1")
        meta = kms.create_key(KeySpec=RS256.key_spec, KeyUsage=KEY_USAGE)["KeyMetadata"]
        signer = KmsSigner(kms, meta["KeyId"], algorithm=RS256)
        signature = signer.sign(b"header.claims")
        (jwk,) = signer.public_keys()
    assert signer.algorithm == "RS256" and jwk["kid"] == meta["KeyId"]
    public = rsa.RSAPublicNumbers(
        int.from_bytes(_unb64(jwk["e"])), int.from_bytes(_unb64(jwk["n"]))
    ).public_key()
    assert len(signature) == 256  # the raw PKCS #1 v1.5 signature, one modulus long
    public.verify(signature, b"header.claims", padding.PKCS1v15(), hashes.SHA256())


def _spki(key: ec.EllipticCurvePublicKey | rsa.RSAPublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class _Kms:
    """A KMS client whose every call fails with `code`."""

    def __init__(self, code: str) -> None:
        self.code = code

    def _fail(self, **_: object) -> dict[str, object]:
        raise ClientError({"Error": {"Code": self.code, "Message": "m"}}, "Sign")

    sign = get_public_key = _fail


@pytest.mark.parametrize("code", ["ThrottlingException", "KMSInternalException"])
def test_kms_signer_turns_retryable_failures_into_503s(code: str) -> None:
    signer = KmsSigner(_Kms(code), "key-1")
    with pytest.raises(SigningUnavailable, match=code):
        signer.sign(b"x")
    with pytest.raises(SigningUnavailable, match=code):
        signer.public_keys()


def test_kms_signer_leaves_misconfiguration_a_bug() -> None:
    with pytest.raises(ClientError):
        KmsSigner(_Kms("AccessDeniedException"), "key-1").sign(b"x")


def test_an_es256_stage_never_imports_cryptography() -> None:
    # Only an RS256 stage's JWKS loads it (backend/signing.py, rsa_public_jwk).
    probe = (
        "import sys, backend.handler; print(any(m.startswith('cryptography') for m in sys.modules))"
    )
    answer = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert answer.stdout.strip() == "False"
