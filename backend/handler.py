"""The Lambda entry point: clients built once per container, one log line per request."""

from __future__ import annotations

import os
import time
from functools import cache
from typing import Any, Final

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as EndpointUnreachable

from backend.app import Dependencies, handle_request
from backend.config import Settings
from backend.errors import StoreUnavailable
from backend.hashing import PasswordHasher
from backend.store import UserStore

# Short timeouts and standard retries: three attempts (1 s connect + 2 s read
# each, plus at most ~3 s of jittered backoff) end well inside the function's
# timeout, so a slow store answers 503 instead of hanging.
CLIENT_CONFIG: Final = Config(
    connect_timeout=1, read_timeout=2, retries={"mode": "standard", "total_max_attempts": 3}
)

SERVICE: Final = os.environ.get("POWERTOOLS_SERVICE_NAME", "signup")
logger = Logger(service=SERVICE)
metrics = Metrics(
    namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Signup"), service=SERVICE
)


@cache
def dependencies() -> Dependencies:
    """Built on the first request of a container and reused (the pepper is read once)."""
    settings = Settings.from_env(os.environ)
    session = boto3.session.Session()

    def read_parameter(name: str) -> str:
        ssm = session.client("ssm", config=CLIENT_CONFIG)
        try:
            value = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"].get("Value")
        except (ClientError, EndpointUnreachable, HTTPClientError) as exc:
            # Not cached (functools.cache keeps only successes): the next request retries.
            raise StoreUnavailable(f"pepper parameter: {type(exc).__name__}") from exc
        return str(value or "")

    hasher = PasswordHasher(settings.load_pepper(read_parameter), cost=settings.bcrypt_cost)
    dynamodb = session.client("dynamodb", config=CLIENT_CONFIG)
    store = UserStore(table_name=settings.table_name, client=dynamodb)
    return Dependencies(policy=settings.policy, hasher=hasher, store=store)


@logger.inject_lambda_context(log_event=False, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Serve POST /createUser; never logs the event (it holds the password)."""
    started = time.perf_counter()
    outcome = handle_request(event, dependencies)
    metrics.add_metric(name=outcome.metric, unit=MetricUnit.Count, value=1)
    status = outcome.response["statusCode"]
    fields = {
        "requestId": outcome.request_id,
        "status": status,
        "outcome": outcome.metric,
        "errorCodes": outcome.codes,
        "durationMs": round((time.perf_counter() - started) * 1000, 1),
    }
    if status == 500:
        # A bug: keep its traceback. Exception messages in this package never
        # carry request data, so nothing the user sent reaches the log.
        logger.error("createUser", exc_info=outcome.error, extra=fields)
    elif status >= 500:
        logger.warning("createUser", extra={**fields, "cause": str(outcome.error)})
    else:
        logger.info("createUser", extra=fields)
    return outcome.response
