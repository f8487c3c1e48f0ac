"""The stage's pepper: an SSM SecureString under a key only this stage's function may use."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class PepperArgs:
    """Where the pepper lives and its value, an Output already marked secret (require_secret)."""

    parameter_name: str
    value: pulumi.Output[str]
    tags: dict[str, str]


class Pepper(pulumi.ComponentResource):
    """A customer managed KMS key and the SecureString parameter it encrypts."""

    key: aws.kms.Key
    parameter: aws.ssm.Parameter

    def __init__(
        self, name: str, args: PepperArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("signup:infra:Pepper", name, None, opts)
        # Not the AWS managed aws/ssm key: its policy lets every principal in
        # the account decrypt, so only a key of our own makes the function's
        # kms:Decrypt grant the thing that actually guards the pepper.
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
            description="HMAC pepper for password hashes; rotating it needs a rehash plan",
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"parameterName": self.parameter.name})
