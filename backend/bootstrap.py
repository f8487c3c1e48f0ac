"""What both functions build first from their settings: the AWS session, the table's client and
the pepper (the API function and the mail worker derive their keys from the same one)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import boto3

from backend import aws

if TYPE_CHECKING:
    from backend.config import Settings


@dataclass(frozen=True, slots=True)
class Foundation:
    """A function's session, its DynamoDB client and its secrets' reader."""

    session: boto3.session.Session
    dynamodb: Any
    pepper: bytes = field(repr=False)

    def read_secret(self, name: str) -> str:
        """A SecureString parameter's value (SecretUnavailable when it cannot be read)."""
        return read_secret(self.session, name)


def build(settings: Settings, session: boto3.session.Session | None = None) -> Foundation:
    """The foundation for `settings`; `session` carries credentials and region (the local
    stage passes fake ones), else the environment's."""
    aws_session = session or boto3.session.Session()
    return Foundation(
        session=aws_session,
        dynamodb=aws.client(aws_session, "dynamodb", settings.dynamodb_endpoint),
        pepper=settings.load_pepper(partial(read_secret, aws_session)),
    )


def read_secret(session: boto3.session.Session, name: str) -> str:
    """A SecureString parameter's value, read with the function's client settings."""
    return aws.read_secure_parameter(aws.client(session, "ssm"), name)
