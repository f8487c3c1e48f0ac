"""Failed sign-ins, counted per account and client and per account across clients.

Each attempt reserves a place in both windows before the password is checked
(one conditional UpdateItem each, as `counters.RateLimiter` does), and gives
it back when the password was right. So only failures stay counted, and
racing guesses can never run past the limit: the count is taken before the
bcrypt, not after it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from backend.errors import ClaimChanged, RateLimited
from backend.store.failures import translated
from backend.store.items import key
from contract.limits import RateLimit
from contract.table_keys import TTL_ATTRIBUTE

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

SCOPE: Final = "signIn"
METRIC: Final = "SignInLimited"
_SLACK_SECONDS: Final = 60


@dataclass(frozen=True, slots=True)
class Reservation:
    """The counters one attempt holds a place in, to give back if it succeeds."""

    counters: tuple[str, ...]


class SignInLimits:
    """The two failure limits of a stage, on counters in the users table."""

    def __init__(
        self,
        *,
        table_name: str,
        client: DynamoDBClient,
        per_client: RateLimit,
        per_account: RateLimit,
        clock: Callable[[], float],
    ) -> None:
        self._table = table_name
        self._client = client
        self._per_client = per_client
        self._per_account = per_account
        self._clock = clock

    def reserve(self, *, account: str, client: str) -> Reservation:
        """Hold a place for this attempt, or RateLimited when either window is full.

        The client's own window is checked first, so a client refused there
        never spends the account-wide allowance the owner shares.
        """
        now = self._clock()
        held: list[str] = []
        for scope, limit in (
            (f"signInFailures#{account}#{client}", self._per_client),
            (f"signInFailuresGlobal#{account}", self._per_account),
        ):
            start = int(now // limit.seconds * limit.seconds)
            counter = f"RATE#{scope}#{start}"
            try:
                self._hit(counter, limit, start + limit.seconds)
            except ClaimChanged as exc:
                self.release(Reservation(tuple(held)))
                wait = max(1, math.ceil(start + limit.seconds - now))
                raise RateLimited(SCOPE, wait, METRIC) from exc
            held.append(counter)
        return Reservation(tuple(held))

    def release(self, reservation: Reservation) -> None:
        """Give the places back: the attempt was not a failed guess."""
        for counter in reservation.counters:
            with translated():
                try:
                    self._client.update_item(
                        TableName=self._table,
                        Key=key(counter),
                        UpdateExpression="ADD hits :minus",
                        ConditionExpression="hits > :zero",
                        ExpressionAttributeValues={":minus": {"N": "-1"}, ":zero": {"N": "0"}},
                    )
                except self._client.exceptions.ConditionalCheckFailedException:
                    continue  # the window ended and its counter is gone: nothing to give back

    def _hit(self, counter: str, limit: RateLimit, end: int) -> None:
        with translated():
            self._client.update_item(
                TableName=self._table,
                Key=key(counter),
                UpdateExpression="ADD hits :one SET #exp = if_not_exists(#exp, :exp)",
                ConditionExpression="attribute_not_exists(hits) OR hits < :limit",
                ExpressionAttributeNames={"#exp": TTL_ATTRIBUTE},
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":limit": {"N": str(limit.count)},
                    ":exp": {"N": str(end + _SLACK_SECONDS)},
                },
            )
