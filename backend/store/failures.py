"""botocore's failures, translated at the boundary by error code (never by message text)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Final

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as EndpointUnreachable

from backend.errors import ClaimChanged, StoreUnavailable

# Error codes that mean "try again later", not "you did something wrong".
RETRYABLE: Final = frozenset(
    {
        "InternalServerError",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "ServiceUnavailable",
        "ThrottlingException",
        "TransactionConflict",
        "TransactionConflictException",
        "TransactionInProgressException",
    }
)
_CONDITION_FAILED: Final = "ConditionalCheckFailed"
# Cancellation reasons that mean "someone else wrote first": decide again.
_RACED: Final = frozenset({_CONDITION_FAILED, "TransactionConflict"})

# Given the cancellation reason of each item, in order, the exception to raise.
Verdict = Callable[[list[str]], Exception]


def cancellation_reasons(exc: ClientError) -> list[str]:
    """The code of each item of a cancelled transaction, in order ("None" where it was fine)."""
    return [reason.get("Code", "None") for reason in exc.response.get("CancellationReasons", [])]


def changed_unless_throttled(reasons: list[str]) -> Exception:
    """A condition failed or a transaction conflicted: read again; anything else: 503."""
    if any(reason in _RACED for reason in reasons):
        return ClaimChanged(",".join(reasons))
    return StoreUnavailable("transaction cancelled: " + ",".join(reasons))


@contextmanager
def translated(verdict: Verdict = changed_unless_throttled) -> Iterator[None]:
    """Turn a store call's failures into ClaimChanged, StoreUnavailable or (for bugs) themselves."""
    try:
        yield
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "TransactionCanceledException":
            raise verdict(cancellation_reasons(exc)) from exc
        if code == "ConditionalCheckFailedException":
            raise ClaimChanged(code) from exc
        if code in RETRYABLE:
            raise StoreUnavailable(code) from exc
        raise
    # Connect/read timeouts and dropped connections, after the client's own
    # retries. Other botocore errors (bad parameters, no credentials) are bugs
    # or misconfiguration and stay 500s.
    except (EndpointUnreachable, HTTPClientError) as exc:
        raise StoreUnavailable(type(exc).__name__) from exc


def condition_failed(reason: str) -> bool:
    """This item's condition did not hold."""
    return reason == _CONDITION_FAILED
