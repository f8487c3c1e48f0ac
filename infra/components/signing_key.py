"""The stage's token-signing key: an asymmetric KMS key whose private half never leaves KMS.

`ECC_NIST_P256` with `SIGN_VERIFY` signs ES256 (ECDSA on P-256 with
SHA-256), the default; `RSA_2048` signs RS256 (RSASSA-PKCS1-v1_5 with
SHA-256) on a stage with `tokenAlgorithm: RS256` (contract/signing.py). The
key policy lets the account administer the key but not sign with it; only
the function's role may sign (with the stage's one algorithm) and read the
public key, which the stage publishes anyway as its JWKS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from contract.signing import DEFAULT_SIGNING_ALGORITHM, KEY_USAGE, SigningAlgorithm

# The default stage's key spec and signing algorithm (ES256), from contract/signing.py.
KEY_SPEC: Final = DEFAULT_SIGNING_ALGORITHM.key_spec
SIGNING_ALGORITHM: Final = DEFAULT_SIGNING_ALGORITHM.kms_algorithm
# Everything an operator (and `pulumi up`, `refresh`, `destroy`) does to the
# key itself, and nothing that uses it: no kms:Sign, so no IAM policy in the
# account can let anyone but the function sign a token.
ADMIN_ACTIONS: Final = (
    "kms:CancelKeyDeletion",
    "kms:Create*",
    "kms:Delete*",
    "kms:Describe*",
    "kms:Disable*",
    "kms:Enable*",
    "kms:Get*",
    "kms:List*",
    "kms:Put*",
    "kms:Revoke*",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:Update*",
)


@dataclass(frozen=True)
class TokenSigningKeyArgs:
    """Who may sign, the key generations (the signing one first), and the stage's tags."""

    signer_role_arn: pulumi.Input[str]
    tags: dict[str, str]
    # `tokenSigningKeys`: the first generation signs; a second one, during a
    # rotation, is only published (SECURITY.md, "Rotating the signing key").
    generations: tuple[int, ...] = (1,)
    # `tokenAlgorithm`: the key spec and the one algorithm the role may sign with.
    algorithm: SigningAlgorithm = DEFAULT_SIGNING_ALGORITHM


class TokenSigningKey(pulumi.ComponentResource):
    """The KMS keys of the stage's access tokens (one, or two during a rotation) and an alias."""

    key: aws.kms.Key
    previous: aws.kms.Key | None

    def __init__(
        self, name: str, args: TokenSigningKeyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("signup:infra:TokenSigningKey", name, None, opts)
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        root = pulumi.Output.concat("arn:aws:iam::", account.account_id, ":root")
        current, *older = args.generations
        self.key = self._create_key(name, current, root, args, signs=True)
        self.previous = self._create_key(name, older[0], root, args, signs=False) if older else None
        aws.kms.Alias(
            f"{name}-alias",
            name=f"alias/{name}",
            target_key_id=self.key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"keyArn": self.key.arn, "keyId": self.key.key_id})

    def _create_key(
        self,
        name: str,
        generation: int,
        root: pulumi.Output[str],
        args: TokenSigningKeyArgs,
        *,
        signs: bool,
    ) -> aws.kms.Key:
        # In a key policy, "Resource": "*" names the key the policy is attached to.
        statements: list[dict[str, object]] = [
            {
                "Sid": "AdministerKey",
                "Effect": "Allow",
                "Principal": {"AWS": root},
                "Action": list(ADMIN_ACTIONS),
                "Resource": "*",
            },
            {
                "Sid": "PublishPublicKey",
                "Effect": "Allow",
                "Principal": {"AWS": args.signer_role_arn},
                "Action": ["kms:GetPublicKey"],
                "Resource": "*",
            },
        ]
        if signs:
            # Only the signing generation: a retired key can no longer sign
            # anything while its public half is still published.
            statements.insert(
                1,
                {
                    "Sid": "SignTokens",
                    "Effect": "Allow",
                    "Principal": {"AWS": args.signer_role_arn},
                    "Action": ["kms:Sign"],
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {"kms:SigningAlgorithm": args.algorithm.kms_algorithm}
                    },
                },
            )
        return aws.kms.Key(
            f"{name}-key-{generation}",
            description=(
                f"Signs {name}'s access tokens ({args.algorithm.name}), generation {generation}"
            ),
            customer_master_key_spec=args.algorithm.key_spec,
            key_usage=KEY_USAGE,
            # Asymmetric keys have no automatic rotation (KMS EnableKeyRotation
            # is for symmetric keys only); SECURITY.md has the procedure.
            deletion_window_in_days=30,
            policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements}),
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
