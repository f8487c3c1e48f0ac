"""Idempotent retries: the same Idempotency-Key with the same request gets the first answer again.

Built on Powertools' idempotency utility and its DynamoDB persistence layer,
in the users table (records under `IDEMPOTENCY#<operation>#...`, expiring
through the table's TTL attribute after 24 hours). Only successes are kept: a
failed request (a rule broken, a name taken, a dependency down) releases its
key, so the same request can be tried again.

The request's fingerprint, which tells "same key, other request" apart, is
an HMAC keyed with a key derived from the pepper, never a plain hash: a
stolen table must not become an offline oracle for the passwords in the
requests it remembers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from typing import Any, Final

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)

from backend.errors import IdempotencyKeyReused, RequestInProgress, StoreUnavailable
from contract.routes import Route
from contract.table_keys import PARTITION_KEY, TTL_ATTRIBUTE

REMEMBERED_SECONDS: Final = 24 * 3600
# Kept apart from the password hashes' use of the pepper.
_FINGERPRINT_CONTEXT: Final = b"signup idempotency fingerprint v1"

Answer = dict[str, Any]  # {"status": int, "body": {...}}


def is_valid_key(key: str) -> bool:
    """1 to 255 printable ASCII characters."""
    return 1 <= len(key) <= 255 and all(" " <= char <= "~" for char in key)


class IdempotentRequests:
    """Runs an operation once per key; the answer is remembered for a day."""

    def __init__(self, *, client: Any, table_name: str, pepper: bytes) -> None:
        self._fingerprint_key = hmac.new(pepper, _FINGERPRINT_CONTEXT, hashlib.sha256).digest()
        self._client = client
        self._table = table_name
        self._layers: dict[Route, DynamoDBPersistenceLayer] = {}

    def _layer(self, route: Route) -> DynamoDBPersistenceLayer:
        # One layer per route: Powertools keeps the key prefix on the layer.
        if route not in self._layers:
            self._layers[route] = DynamoDBPersistenceLayer(
                table_name=self._table,
                key_attr=PARTITION_KEY,
                expiry_attr=TTL_ATTRIBUTE,  # the table's TTL deletes old records
                boto3_client=self._client,
            )
        return self._layers[route]

    def fingerprint(self, route: Route, payload: Mapping[str, object]) -> str:
        """The request, as the HMAC of its canonical JSON under the pepper-derived key."""
        canonical = json.dumps([route.key, payload], sort_keys=True, ensure_ascii=False)
        return hmac.new(self._fingerprint_key, canonical.encode(), hashlib.sha256).hexdigest()

    def remember(
        self,
        route: Route,
        key: str,
        payload: Mapping[str, object],
        context: Any,
        work: Callable[[], Answer],
    ) -> Answer:
        """`work()`'s answer, or the one remembered for `key`; see the module for the rules."""
        config = IdempotencyConfig(
            event_key_jmespath="key",
            payload_validation_jmespath="fingerprint",
            expires_after_seconds=REMEMBERED_SECONDS,
            # In-progress records end with the invocation, so a crashed one
            # blocks retries only until its timeout, not for a day.
            lambda_context=context,
        )

        def perform(request: dict[str, str]) -> Answer:
            return work()

        once: Callable[..., Answer] = idempotent_function(
            perform,
            data_keyword_argument="request",
            persistence_store=self._layer(route),
            config=config,
            key_prefix=f"IDEMPOTENCY#{route.operation}",
        )

        request = {"key": key, "fingerprint": self.fingerprint(route, payload)}
        try:
            answer = once(request=request)
        except IdempotencyValidationError as exc:
            raise IdempotencyKeyReused(route.operation) from exc
        except IdempotencyAlreadyInProgressError as exc:
            raise RequestInProgress(route.operation) from exc
        except IdempotencyPersistenceLayerError as exc:
            raise StoreUnavailable("idempotency record") from exc
        return answer
