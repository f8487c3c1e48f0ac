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

from backend.errors import RateLimited
from backend.store.counters import count_within, window
from backend.store.failures import translated
from backend.store.items import key
from contract.limits import RateLimit

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

SCOPE: Final = "signIn"
METRIC: Final = "SignInLimited"


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
            start, end = window(now, limit)
            counter = f"RATE#{scope}#{start}"
            # Owned by the account, so deleting it takes its counters along. A
            # login nobody holds owns its counters under its digest: every
            # attempt writes the same attributes.
            if not count_within(self._client, self._table, counter, limit, end, owner=account):
                self.release(Reservation(tuple(held)))
                raise RateLimited(SCOPE, max(1, math.ceil(end - now)), METRIC)
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
