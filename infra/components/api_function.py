"""The API function with its own log group and a role that can do nothing else.

`SignupFunction` is the anatomy (log group, role, inline policy, function);
what differs per function (handler, timeout, grants) is a class attribute or
`_grants`, so the mail worker (infra/components/mail_worker.py) gets its role built the same way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import ClassVar, Final

import pulumi
import pulumi_aws as aws

from contract.signing import SigningAlgorithm
from infra.build.lambda_zip import LambdaArtifact
from infra.components.function_settings import function_environment
from infra.stack.schema import StageConfig

HANDLER: Final = "backend.handler.handler"
RUNTIME: Final = "python3.13"
# Long enough for a cold start's SSM read, a bcrypt hash and the store's
# retries; the backend gives each request one deadline derived from the time
# left (backend/deadline.py), so a slow dependency ends as its own 503 before
# this timeout, and API Gateway's 30 s limit is never reached.
TIMEOUT_SECONDS: Final = 15
# Lambda's advanced logging spells WARNING as WARN.
_LAMBDA_LOG_LEVEL: Final = {"DEBUG": "DEBUG", "INFO": "INFO", "WARNING": "WARN", "ERROR": "ERROR"}


@dataclass(frozen=True)
class SignupFunctionArgs:
    """The code, the stage's sizing and policy, and what the function may touch."""

    artifact: LambdaArtifact
    stage: StageConfig
    table_name: pulumi.Input[str]
    table_arn: pulumi.Input[str]
    # The table's owner index (infra/components/users_table.py): what a deletion queries.
    owner_index_arn: pulumi.Input[str]
    pepper_parameter_name: pulumi.Input[str]
    pepper_parameter_arn: pulumi.Input[str]
    pepper_key_arn: pulumi.Input[str]
    mail_identity_arn: pulumi.Input[str]
    mail_configuration_set_name: pulumi.Input[str]
    mail_configuration_set_arn: pulumi.Input[str]
    mail_from_address: str
    # The stage's client-address secret: the function reads it to believe the
    # browser address the web server forwards (backend/client_address.py).
    client_address_secret_parameter_name: pulumi.Input[str]
    client_address_secret_parameter_arn: pulumi.Input[str]
    client_address_secret_key_arn: pulumi.Input[str]
    tags: dict[str, str]
    # The hosted sign-up page's URL (WEB_URL: links in mails); None without one.
    web_url: pulumi.Input[str] | None = None
    # The KMS key that signs access tokens (its ARN; the key id is its last
    # segment) and the issuer URL the tokens name: the stage's API URL.
    signing_key_arn: pulumi.Input[str] | None = None
    token_issuer: pulumi.Input[str] | None = None
    # During a key rotation: the key that signed until now, still published.
    previous_signing_key_arn: pulumi.Input[str] | None = None
    # The account's permissions boundary (infra/components/boundary.py), on the role.
    permissions_boundary: pulumi.Input[str] | None = None


class SignupFunction(pulumi.ComponentResource):
    """Lambda running `backend.handler.handler`, its log group, role and inline policy."""

    TYPE: ClassVar[str] = "signup:infra:SignupFunction"
    HANDLER: ClassVar[str] = HANDLER
    DESCRIPTION: ClassVar[str] = (
        "The sign-up API: validate, hash, claim as pending, record the mail to send, verify"
    )
    TIMEOUT_SECONDS: ClassVar[int] = TIMEOUT_SECONDS
    # Only the API function takes the stage's reserved concurrency (see infra/stack/schema.py).
    RESERVES_CONCURRENCY: ClassVar[bool] = True
    # What it was built from: the mail worker runs the same code with the same environment.
    args: SignupFunctionArgs
    log_group: aws.cloudwatch.LogGroup
    role: aws.iam.Role
    function: aws.lambda_.Function

    def __init__(
        self, name: str, args: SignupFunctionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(self.TYPE, name, None, opts)
        self.args = args
        # Created before the function so Lambda never auto-creates an
        # unmanaged group with infinite retention.
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=f"/aws/lambda/{name}",
            retention_in_days=args.stage.log_retention_days,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.role = self._create_role(name, args)
        policy = self._create_policy(name, args)
        self.function = self._create_function(name, args, policy)
        self.register_outputs({"name": self.function.name, "arn": self.function.arn})

    def _create_role(self, name: str, args: SignupFunctionArgs) -> aws.iam.Role:
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        return aws.iam.Role(
            f"{name}-role",
            description=f"Runs {name} and nothing else",
            assume_role_policy=pulumi.Output.json_dumps(trust),
            permissions_boundary=args.permissions_boundary,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _create_policy(self, name: str, args: SignupFunctionArgs) -> aws.iam.RolePolicy:
        document = {
            "Version": "2012-10-17",
            "Statement": [
                # Streams are named by Lambda at run time, so this group's
                # streams are the one place a suffix wildcard is unavoidable.
                {
                    "Sid": "WriteOwnLogs",
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": [pulumi.Output.concat(self.log_group.arn, ":*")],
                },
                *self._grants(args),
            ],
        }
        return aws.iam.RolePolicy(
            f"{name}-policy",
            role=self.role.id,
            policy=pulumi.Output.json_dumps(document),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _grants(self, args: SignupFunctionArgs) -> list[dict[str, object]]:
        """What the API function may touch besides its logs: table and its owner index, two
        secrets, signing key.

        No mail: the transaction that changes state records the mail to send,
        and only the mail worker's role may call SES.
        """
        return [
            # Consistent GetItem reads, then TransactWriteItems, which is
            # authorised per contained action (Put, Update, Delete items).
            {
                "Sid": "ReadWriteUsers",
                "Effect": "Allow",
                "Action": [
                    # The claims of a sign-up and a sign-in, read in one call.
                    "dynamodb:BatchGetItem",
                    # A deletion's clean-up: what the account owned, 25 items a call.
                    "dynamodb:BatchWriteItem",
                    # A transaction's check on an item it does not change (the
                    # decoy sign-up's check of the owner's address).
                    "dynamodb:ConditionCheckItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                ],
                "Resource": [args.table_arn],
            },
            # A deletion lists what the account owned on the owner index: Query
            # on that index only, never on the table (no other reads by scan).
            {
                "Sid": "FindOwnedItems",
                "Effect": "Allow",
                "Action": ["dynamodb:Query"],
                "Resource": [args.owner_index_arn],
            },
            *read_secure_parameter("Pepper", args.pepper_parameter_arn, args.pepper_key_arn),
            *read_secure_parameter(
                "ClientAddressSecret",
                args.client_address_secret_parameter_arn,
                args.client_address_secret_key_arn,
            ),
            *_sign_tokens(
                args.signing_key_arn, args.previous_signing_key_arn, args.stage.tokens.algorithm
            ),
        ]

    def _create_function(
        self, name: str, args: SignupFunctionArgs, policy: aws.iam.RolePolicy
    ) -> aws.lambda_.Function:
        stage = args.stage
        environment = pulumi.Output.all(
            args.table_name,
            args.pepper_parameter_name,
            args.mail_configuration_set_name,
            args.web_url,
            args.client_address_secret_parameter_name,
            args.token_issuer,
            args.signing_key_arn,
            args.previous_signing_key_arn,
        ).apply(
            lambda names: function_environment(
                stage,
                table_name=names[0],
                pepper_parameter=names[1],
                mail_configuration_set=names[2],
                web_url=names[3],
                client_address_secret_parameter=names[4],
                token_issuer=names[5],
                signing_key_id=_key_id(names[6]),
                previous_signing_key_id=_key_id(names[7]),
            )
        )
        return aws.lambda_.Function(
            name,
            name=name,
            description=self.DESCRIPTION,
            runtime=RUNTIME,
            architectures=[stage.architecture],
            handler=self.HANDLER,
            # Relative to the project directory, so the path stored in the state
            # is the same on every teammate's machine.
            code=pulumi.FileArchive(os.path.relpath(args.artifact.path)),
            source_code_hash=args.artifact.source_code_hash,
            role=self.role.arn,
            memory_size=stage.memory_mb,
            timeout=self.TIMEOUT_SECONDS,
            # None leaves the function unreserved (see infra/stack/schema.py).
            reserved_concurrent_executions=(
                stage.reserved_concurrency if self.RESERVES_CONCURRENCY else None
            ),
            environment={"variables": environment},
            logging_config={
                "log_format": "JSON",
                "log_group": self.log_group.name,
                "application_log_level": _LAMBDA_LOG_LEVEL[stage.log_level],
                "system_log_level": "INFO",
            },
            tags=args.tags,
            # The policy must exist before the first cold start reads the pepper.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )


def _key_id(arn: str | None) -> str | None:
    """A KMS key ARN's last segment, the key id (which is also the tokens' `kid`)."""
    return arn.rsplit("/", 1)[-1] if arn else None


def _sign_tokens(
    key_arn: pulumi.Input[str] | None,
    previous_arn: pulumi.Input[str] | None,
    algorithm: SigningAlgorithm,
) -> list[dict[str, object]]:
    """kms:Sign (the stage's one algorithm only) on the one signing key; kms:GetPublicKey on it
    (and, during a rotation, on the previous key, whose public half is still published)."""
    if key_arn is None:
        return []
    return [
        {
            "Sid": "SignAccessTokens",
            "Effect": "Allow",
            "Action": ["kms:Sign"],
            "Resource": [key_arn],
            "Condition": {"StringEquals": {"kms:SigningAlgorithm": algorithm.kms_algorithm}},
        },
        {
            "Sid": "PublishPublicKey",
            "Effect": "Allow",
            "Action": ["kms:GetPublicKey"],
            "Resource": [key_arn, *([previous_arn] if previous_arn is not None else [])],
        },
    ]


def read_secure_parameter(
    name: str, parameter_arn: pulumi.Input[str], key_arn: pulumi.Input[str]
) -> list[dict[str, object]]:
    """GetParameter on one SecureString and Decrypt with its key for that parameter only.

    Parameter Store puts the parameter's ARN in the encryption context, so the
    key decrypts nothing else for this role.
    """
    return [
        {
            "Sid": f"Read{name}",
            "Effect": "Allow",
            "Action": ["ssm:GetParameter"],
            "Resource": [parameter_arn],
        },
        {
            "Sid": f"Decrypt{name}",
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": [key_arn],
            "Condition": {"StringEquals": {"kms:EncryptionContext:PARAMETER_ARN": parameter_arn}},
        },
    ]
