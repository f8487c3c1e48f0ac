"""AWS clients as the function uses them: short timeouts, bounded retries, the request deadline."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Final

from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as EndpointUnreachable

from backend.deadline import attempt_guard
from backend.errors import SecretUnavailable

if TYPE_CHECKING:
    import boto3
    from mypy_boto3_ssm.client import SSMClient

CONNECT_TIMEOUT: Final = 1
READ_TIMEOUT: Final = 2
# Three attempts in all (`max_attempts` would mean four); the deadline guard
# stops any attempt that could no longer finish in time.
CLIENT_CONFIG: Final = Config(
    connect_timeout=CONNECT_TIMEOUT,
    read_timeout=READ_TIMEOUT,
    retries={"mode": "standard", "total_max_attempts": 3},
)
# The Lambda runtime sets the root logger to the function's application log
# level. At DEBUG, botocore would log request bodies (the password hash), the
# decrypted pepper from SSM and the session token, and urllib3 its traffic.
# These loggers keep a level of their own, so no log level setting of the
# function can ever reach them.
SDK_LOGGERS: Final = ("boto3", "botocore", "s3transfer", "urllib3", "aws_lambda_powertools")


def quiet_sdk_loggers() -> None:
    """Pin the SDK's loggers at WARNING, whatever level the root logger has."""
    for name in SDK_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def client(session: boto3.session.Session, service: str, endpoint_url: str | None = None) -> Any:
    """A client with the function's timeouts, retries and deadline guard."""
    made = session.client(service, config=CLIENT_CONFIG, endpoint_url=endpoint_url)  # type: ignore[call-overload]
    made.meta.events.register_first("before-send", attempt_guard(CONNECT_TIMEOUT + READ_TIMEOUT))
    return made


def read_secure_parameter(ssm: SSMClient, name: str) -> str:
    """A SecureString's decrypted value, or SecretUnavailable (never with the value in it)."""
    try:
        value = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"].get("Value")
    except (ClientError, EndpointUnreachable, HTTPClientError) as exc:
        raise SecretUnavailable(f"parameter {name}: {type(exc).__name__}") from exc
    return str(value or "")
