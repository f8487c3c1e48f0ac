"""Stage secrets: SSM SecureStrings, each under a KMS key only its readers may use.

Two per stage: the pepper (the function's) and the client-address secret
(the web server's and, later, the function's). Pepper keeps its own component
type so the resources of stacks deployed before StageSecret existed keep
their URNs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class StageSecretArgs:
    """Where the secret lives, what it is for, and its value (already a secret Output)."""

    parameter_name: str
    value: pulumi.Output[str]
    description: str
    tags: dict[str, str]


class StageSecret(pulumi.ComponentResource):
    """A customer managed KMS key and the SecureString parameter it encrypts."""

    TYPE: ClassVar[str] = "signup:infra:StageSecret"
    key: aws.kms.Key
    parameter: aws.ssm.Parameter

    def __init__(
        self, name: str, args: StageSecretArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(self.TYPE, name, None, opts)
        # Not the AWS managed aws/ssm key: its policy lets every principal in
        # the account decrypt, so only a key of our own makes a reader's
        # kms:Decrypt grant the thing that actually guards the secret.
        self.key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts {args.parameter_name}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.parameter = aws.ssm.Parameter(
            f"{name}-parameter",
            name=args.parameter_name,
            type="SecureString",
            key_id=self.key.arn,
            value=args.value,
            description=args.description,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"parameterName": self.parameter.name})


@dataclass(frozen=True)
class PepperArgs:
    """Where the pepper lives and its value, an Output already marked secret (require_secret)."""

    parameter_name: str
    value: pulumi.Output[str]
    tags: dict[str, str]


class Pepper(StageSecret):
    """The stage's HMAC pepper."""

    TYPE: ClassVar[str] = "signup:infra:Pepper"

    def __init__(
        self, name: str, args: PepperArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        description = "HMAC pepper for password hashes; rotating it needs a rehash plan"
        super().__init__(
            name, StageSecretArgs(args.parameter_name, args.value, description, args.tags), opts
        )
