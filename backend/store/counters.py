"""Rate-limit counters in the users table, so limits hold across every concurrent Lambda instance.

A request is one conditional UpdateItem on its window's counter (no
read-then-write): the increment happens only while the counter is below the
limit, so across any number of racing instances no more than LIMIT requests
pass per window. Over the limit, the request is refused with the whole
seconds until the window ends. Counters carry the table's TTL attribute and
vanish after their window.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from contextvars import ContextVar, copy_context
from typing import TYPE_CHECKING, Final, TypeVar

from backend.client_address import current_client
from backend.errors import RateLimited
from backend.store.failures import translated
from backend.store.items import key
from contract.limits import RateLimit
from contract.table_keys import OWNER_ATTRIBUTE, TTL_ATTRIBUTE

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

# Counters outlive their window a little before TTL may take them (and TTL
# deletion lags anyway); a window's key never comes back, so nothing stale is read.
_SLACK_SECONDS: Final = 60
_T = TypeVar("_T")


def window(now: float, limit: RateLimit) -> tuple[int, int]:
    """The start and end (epoch seconds) of `limit`'s fixed window holding `now`."""
    start = int(now // limit.seconds * limit.seconds)
    return start, start + limit.seconds


def count_within(
    client: DynamoDBClient,
    table: str,
    counter: str,
    limit: RateLimit,
    end: int,
    *,
    owner: str | None = None,
) -> bool:
    """Count one hit on `counter` if it is below `limit`; False (nothing written) when full.

    With `owner`, the counter is that account's (its key holds the user id) and
    goes when the account is deleted (backend/store/owned.py).
    """
    update = "ADD hits :one SET #exp = if_not_exists(#exp, :exp)"
    names = {"#exp": TTL_ATTRIBUTE}
    values = {
        ":one": {"N": "1"},
        ":limit": {"N": str(limit.count)},
        ":exp": {"N": str(end + _SLACK_SECONDS)},
    }
    if owner is not None:
        update += ", #owner = :owner"
        names["#owner"] = OWNER_ATTRIBUTE
        values[":owner"] = {"S": owner}
    with translated():
        try:
            client.update_item(
                TableName=table,
                Key=key(counter),
                UpdateExpression=update,
                ConditionExpression="attribute_not_exists(hits) OR hits < :limit",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except client.exceptions.ConditionalCheckFailedException:
            return False
    return True


class RateLimiter:
    """Counts requests per key in the table; `hit` raises RateLimited over the limit."""

    def __init__(self, *, table_name: str, client: DynamoDBClient, clock: Callable[[], float]):
        self._table = table_name
        self._client = client
        self._clock = clock

    def hit(self, scope: str, value: str, limit: RateLimit) -> None:
        """Count one request for `value` in `scope`; RateLimited (with Retry-After) if over."""
        now = self._clock()
        start, end = window(now, limit)
        counter = f"RATE#{scope}#{value}#{start}"
        if not count_within(self._client, self._table, counter, limit, end):
            raise RateLimited(scope, max(1, math.ceil(end - now)))


# The client address's count, when it runs beside the request's reads (backend/app.py).
_address_count: ContextVar[Future[tuple[str, ...]] | None] = ContextVar(
    "address_count", default=None
)


@contextmanager
def counting_address(count: Future[tuple[str, ...]]) -> Iterator[None]:
    """Within this block, `IdentifierThrottle.check` also waits for `count` (and its refusal)."""
    token = _address_count.set(count)
    try:
        yield
    finally:
        _address_count.reset(token)


class IdentifierThrottle:
    """The service's per-identifier limits (backend.sign_up.Throttle) on these counters.

    Each identifier is counted twice: per identifier and client (the key the
    address limit counts), so one client's attempts never refuse another's,
    and per identifier across all clients, a higher ceiling that stops floods.
    The counters are written on worker threads while the caller's thread does
    the read the request needs anyway, so the limits cost no extra round trip.
    """

    def __init__(
        self,
        limiter: RateLimiter,
        limit: RateLimit,
        pool: ThreadPoolExecutor,
        *,
        global_limit: RateLimit,
    ) -> None:
        self._limiter = limiter
        self._limit = limit
        self._global_limit = global_limit
        self._pool = pool

    def check(self, attempts: Sequence[tuple[str, str]], then: Callable[[], _T]) -> _T:
        """Count every attempt while `then()` runs; RateLimited (or 503) when one fails."""
        client = current_client()
        hits = [
            hit
            for kind, key in attempts
            for hit in (
                (kind, f"{key}#{client}", self._limit),
                (f"{kind}-global", key, self._global_limit),
            )
        ]
        futures = [
            # Each on a copy of this request's context: the deadline goes along.
            self._pool.submit(copy_context().run, self._limiter.hit, scope, value, limit)
            for scope, value, limit in hits
        ]
        try:
            result = then()
        finally:
            wait(futures)
        address = _address_count.get()
        if address is not None:
            address.result()  # the client's own limit first
        for future in futures:
            future.result()  # the first refusal, in the order given
        return result
