"""The access tokens' signing algorithms: each JWS `alg` a stage may pick and what makes it in KMS.

One home for these names: the stack schema offers them (`tokenAlgorithm`),
the function signs and publishes keys with them, the Pulumi program creates
the key and scopes `kms:Sign` to them, the local stage signs and verifies
with them. ES256 is the default; RS256 is for stages whose tokens an API
Gateway HTTP API JWT authorizer must accept (README, "The same authorizer in
front of your own API").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# Every signing key is asymmetric and signs only (KMS KeyUsage).
KEY_USAGE: Final = "SIGN_VERIFY"


@dataclass(frozen=True)
class SigningAlgorithm:
    """A JWS algorithm (RFC 7518, 3.1) and the KMS key spec and signing algorithm that make it."""

    name: str
    key_spec: str
    kms_algorithm: str


# ECDSA on P-256 with SHA-256; KMS answers DER, which JWS wants as r||s.
ES256: Final = SigningAlgorithm("ES256", "ECC_NIST_P256", "ECDSA_SHA_256")
# RSASSA-PKCS1-v1_5 with SHA-256 on a 2048-bit key; KMS answers the raw
# PKCS #1 signature, which is the JWS signature as it is.
RS256: Final = SigningAlgorithm("RS256", "RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256")
SIGNING_ALGORITHMS: Final = {algorithm.name: algorithm for algorithm in (ES256, RS256)}
DEFAULT_SIGNING_ALGORITHM: Final = ES256
