"""The Lambda entry point: clients built once per container; a deadline and a log line a request."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any, Final

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from backend import aws, bootstrap
from backend.access_tokens import AccessTokens
from backend.app import Dependencies, Outcome, handle_request
from backend.config import Settings
from backend.deadline import request_deadline
from backend.hashing import PasswordHasher
from backend.idempotency import IdempotentRequests
from backend.sessions import Sessions
from backend.sign_up import NoThrottle, Registration
from backend.signing import KmsSigner, TokenSigner
from backend.store import DynamoDBUserStore
from backend.store.accounts import DynamoDBAccountStore
from backend.store.counters import IdentifierThrottle, RateLimiter
from backend.store.sessions import DynamoDBSessionStore
from backend.store.sign_in_limits import SignInLimits
from contract.routes import METRICS_NAMESPACE, SERVICE_NAME
from contract.tokens import link_key

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]
# Threads that write rate-limit counters while a request reads its claims. A
# Lambda container serves one request at a time (two threads would do); the
# local stage serves many at once from one process.
_COUNTER_THREADS: Final = 16

aws.quiet_sdk_loggers()
logger = Logger(service=SERVICE_NAME)
metrics = Metrics(namespace=METRICS_NAMESPACE, service=SERVICE_NAME)


def create_handler(
    read_settings: Callable[[], Settings],
    *,
    session: boto3.session.Session | None = None,
    signer: TokenSigner | None = None,
) -> LambdaHandler:
    """A handler whose dependencies are built from `read_settings()` on its first request.

    `session` carries credentials and region (the local stage passes fake ones
    for DynamoDB Local); by default the function's own, from its environment.
    The handler imports nothing of mail: sign-ups and resends queue outbox
    items that the mail worker (backend/mail_worker.py) sends.
    `signer` signs access tokens instead of the KMS key named by the settings
    (the local stage has a key of its own).
    """

    counter_threads = ThreadPoolExecutor(_COUNTER_THREADS, thread_name_prefix="counter")

    @cache  # only successes are kept: a failed secret read is retried next request
    def dependencies() -> Dependencies:
        settings = read_settings()
        base = bootstrap.build(settings, session)
        pepper, dynamodb, aws_session = base.pepper, base.dynamodb, base.session
        table = settings.table_name
        limiter = RateLimiter(table_name=table, client=dynamodb, clock=time.time)
        limits_on = settings.rate_limits
        registration = Registration(
            policy=settings.policy,
            hasher=PasswordHasher(pepper, cost=settings.bcrypt_cost),
            store=DynamoDBUserStore(table_name=table, client=dynamodb),
            link_key=link_key(pepper),
            link_seconds=settings.verification_ttl_seconds,
            throttle=(
                IdentifierThrottle(
                    limiter,
                    settings.rate_limit_per_identifier,
                    counter_threads,
                    global_limit=settings.rate_limit_per_identifier_global,
                )
                if limits_on
                else NoThrottle()
            ),
        )
        return Dependencies(
            sessions=_sessions(settings, aws_session, dynamodb, registration.hasher, signer),
            registration=registration,
            accounts=DynamoDBAccountStore(table_name=table, client=dynamodb),
            idempotency=IdempotentRequests(client=dynamodb, table_name=table, pepper=pepper),
            limiter=limiter if limits_on else None,
            address_limit=settings.rate_limit_per_address,
            web_secret=settings.load_client_address_secret(base.read_secret),
            counters=counter_threads,
        )

    @logger.inject_lambda_context(log_event=False, clear_state=True)
    @metrics.log_metrics
    def handle(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        """Serve one API request; never logs the event (it holds the password)."""
        started = time.perf_counter()
        with request_deadline(context.get_remaining_time_in_millis()):
            outcome = handle_request(event, dependencies, context)
        _record(outcome, time.perf_counter() - started)
        return outcome.response

    return handle


def _sessions(
    settings: Settings,
    session: boto3.session.Session,
    dynamodb: Any,
    hasher: PasswordHasher,
    signer: TokenSigner | None,
) -> Sessions | None:
    if signer is None and settings.signing_key_id:
        previous = [settings.previous_signing_key_id or ""]
        kms = aws.client(session, "kms")
        signer = KmsSigner(
            kms,
            settings.signing_key_id,
            previous_key_ids=previous,
            algorithm=settings.token_algorithm,
        )
    if signer is None:
        return None  # this stage signs nobody in; its session routes answer 500
    table = settings.table_name
    limits = SignInLimits(
        table_name=table,
        client=dynamodb,
        per_client=settings.rate_limit_sign_in_failures,
        per_account=settings.rate_limit_sign_in_failures_global,
        clock=time.time,
    )
    return Sessions(
        hasher=hasher,
        store=DynamoDBSessionStore(table_name=table, client=dynamodb),
        tokens=AccessTokens(
            signer=signer,
            issuer=settings.require_token_issuer(),
            audience=settings.token_audience,
            lifetime_seconds=settings.access_token_seconds,
        ),
        refresh_seconds=settings.refresh_token_seconds,
        limits=limits if settings.rate_limits else None,
        # Made once per container, at the stage's cost, from a password nobody knows.
        dummy_hash=hasher.hash(secrets.token_urlsafe(32)),
    )


def _record(outcome: Outcome, seconds: float) -> None:
    for name in outcome.metrics:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
    status = outcome.response["statusCode"]
    fields = {
        "requestId": outcome.request_id,
        "status": status,
        "outcome": outcome.metrics[0],
        "errorCodes": outcome.codes,
        "durationMs": round(seconds * 1000, 1),
    }
    if status == 500:
        # A bug: keep its traceback. Exception messages in this package never
        # carry request data, so nothing the user sent reaches the log.
        logger.error(outcome.operation, exc_info=outcome.error, extra=fields)
    elif status >= 500:
        logger.warning(outcome.operation, extra={**fields, "cause": str(outcome.error)})
    else:
        logger.info(outcome.operation, extra=fields)


# What Lambda calls: settings from the function's environment, read on the first request.
handler = create_handler(lambda: Settings.from_env(os.environ))
