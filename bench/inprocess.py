"""The real handler on moto inside a worker interpreter: the environment, and calling it by path.

Only bench's worker processes import this (`python -m bench.latency` / `bench.flows`, and the
sections `bench.sign_in` / `bench.reset`), so moto, the fake credentials and the handler's
once-per-container clients stay out of the caller.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

if TYPE_CHECKING:
    from tests.support.accounts import Account

REGION: Final = "us-east-1"  # moto's; nothing leaves this machine
TABLE: Final = "users-bench"

Headers = tuple[tuple[str, str], ...]


class HeaderedCall(Protocol):
    """A Call that may also send request headers (an Idempotency-Key, as the page does)."""

    def __call__(self, path: str, body: dict[str, str], extra: Headers = (), /) -> int:
        """POST `body` to `path`; the status code."""
        ...


@dataclass(frozen=True)
class Harness:
    """The handler on moto: call it, run the mail worker over the outbox, reach the table."""

    call: HeaderedCall
    outbox: Path
    # Feeds every outbox item to the mail worker (as the stream would), until none is left;
    # the seconds the worker's invocations took (the harness's own Scan left out).
    deliver: Callable[[], float]
    dynamodb: Any
    table: str
    # The handler's, so a bench can hash (or store an account) as the handler would.
    pepper: str = field(repr=False)


def _moto_environment() -> None:
    from contract.environment import DYNAMODB_ENDPOINT
    from infra.local.dynamodb_local import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY

    # A developer's own credentials or endpoints must never reach the handler.
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", DYNAMODB_ENDPOINT):
        os.environ.pop(name, None)
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_ACCESS_KEY,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
        }
    )


def _back_up_touched_items_only() -> None:
    """moto backs a transaction up by deep-copying every table it touches, once per item of
    the transaction, so its time grows with the table: over a run's thousands of requests
    the copy, not the handler, would be measured (a sign-up took 24 ms on a new table and
    93 ms sixty sign-ups later). This keeps only the items the transaction names and puts
    them back if it is cancelled: the same rollback for this table's one hash key. (Only the
    bench's worker interpreters patch moto.)"""
    import copy
    import types

    from moto.dynamodb import models
    from moto.dynamodb.models.dynamo_type import DynamoType

    real = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        saved: list[tuple[Any, Any, Any]] = []
        for action in transact_items:
            ((kind, op),) = action.items()
            table = self.tables.get(op.get("TableName"))
            if table is None or table.range_key_attr is not None:
                continue  # moto answers for it; no range keys in the users table
            attrs = op["Item"] if kind == "Put" else op.get("Key", {})
            if table.hash_key_attr not in attrs:
                continue
            hash_value = DynamoType(attrs[table.hash_key_attr])
            current = table.items.get(hash_value)
            # moto's Put and Delete replace or drop the item object, so keeping it is enough
            # to restore it; only an Update changes it in place and needs a copy. (Copying
            # every item found made a sign-up that replaces items slower than one that finds
            # none, a difference of this harness's, not of the handler's or of moto's.)
            kept = copy.deepcopy(current) if kind == "Update" else current
            saved.append((table, hash_value, kept))

        def deepcopy(thing: Any, memo: Any = None) -> Any:
            # The table itself is not copied: the items it may change were, above.
            return thing if isinstance(thing, models.Table) else copy.deepcopy(thing, memo)

        models.copy = types.SimpleNamespace(deepcopy=deepcopy)  # type: ignore[attr-defined]
        try:
            real(self, transact_items)
        except Exception:
            for table, hash_value, item in reversed(saved):
                if item is None:
                    table.items.pop(hash_value, None)
                else:
                    table.items[hash_value] = item
            raise
        finally:
            models.copy = copy  # type: ignore[attr-defined]

    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


@contextmanager
def handler_on_moto(cost: int, *, limits: bool = True, signing: bool = False) -> Iterator[Harness]:
    """The handler at bcrypt `cost` over a moto table, and its mail worker.

    Limits are bench.limits.NEVER_REACHED; `limits=False` turns them off entirely.
    `signing=True` gives it a KMS signing key on moto, so it signs people in.
    """
    _moto_environment()
    _back_up_touched_items_only()
    import boto3
    from moto import mock_aws

    from backend.config import Settings
    from backend.handler import create_handler
    from backend.mail_worker import create_worker
    from bench.limits import NEVER_REACHED
    from contract.environment import (
        BCRYPT_COST,
        MAIL_OUTBOX_DIR,
        PASSWORD_PEPPER,
        RATE_LIMITS,
        SIGNING_KEY_ID,
        TABLE_NAME,
        TOKEN_ISSUER,
        WEB_URL,
    )
    from contract.signing import DEFAULT_SIGNING_ALGORITHM, KEY_USAGE
    from contract.table_keys import OUTBOX_PREFIX
    from infra.local.events import HttpRequest, build_event
    from infra.local.lambda_context import LocalLambdaContext
    from infra.local.table_setup import ensure_table

    with tempfile.TemporaryDirectory(prefix="bench-mail-") as outbox, mock_aws():
        dynamodb = boto3.client("dynamodb")
        ensure_table(dynamodb, TABLE, stream=False)
        pepper = secrets.token_urlsafe(48)
        environment = {
            TABLE_NAME: TABLE,
            PASSWORD_PEPPER: pepper,
            BCRYPT_COST: str(cost),
            WEB_URL: "http://localhost:3000",
            # The local stage's mailer: a file per mail, so no network is timed.
            MAIL_OUTBOX_DIR: outbox,
            RATE_LIMITS: "on" if limits else "off",
            **NEVER_REACHED,
            # Read only with a signing key, to name the issuer in the tokens it signs.
            TOKEN_ISSUER: f"https://bench.execute-api.{REGION}.amazonaws.com",
        }
        if signing:  # without a signing key the handler answers no session route
            kms = boto3.client("kms")
            spec = DEFAULT_SIGNING_ALGORITHM.key_spec
            key = kms.create_key(KeySpec=spec, KeyUsage=KEY_USAGE)["KeyMetadata"]
            environment[SIGNING_KEY_ID] = key["KeyId"]
        settings = Settings.from_env(environment)
        handler = create_handler(lambda: settings)  # its clients are built inside mock_aws
        worker = create_worker(lambda: settings)

        def call(path: str, body: dict[str, str], extra: Headers = (), /) -> int:
            headers = (("content-type", "application/json"), *extra)
            request = HttpRequest("POST", path, headers, json.dumps(body).encode(), "192.0.2.10")
            event = build_event(
                request,
                route_key=f"POST {path}",
                request_id=secrets.token_hex(8),
                api_id="bench",
                account_id="000000000000",
            )
            response = handler(event, LocalLambdaContext("signup-bench", REGION, 15))
            return int(response["statusCode"])

        def deliver() -> float:
            worker_seconds = 0.0
            for _ in range(3):
                pages = dynamodb.get_paginator("scan").paginate(TableName=TABLE)
                items = [i for page in pages for i in page["Items"]]
                outbox_items = [i for i in items if i["pk"]["S"].startswith(OUTBOX_PREFIX)]
                if not outbox_items:
                    break
                records = [
                    {
                        "eventID": str(n),
                        "eventName": "INSERT",
                        "eventSource": "aws:dynamodb",
                        "dynamodb": {
                            "Keys": {"pk": item["pk"]},
                            "NewImage": item,
                            "SequenceNumber": str(n),
                            "StreamViewType": "NEW_IMAGE",
                        },
                    }
                    for n, item in enumerate(outbox_items)
                ]
                started = time.perf_counter()
                worker({"Records": records}, LocalLambdaContext("signup-bench-mail", REGION, 60))
                worker_seconds += time.perf_counter() - started
            return worker_seconds

        yield Harness(call, Path(outbox), deliver, dynamodb, TABLE, pepper)


@contextmanager
def handler_with_account(
    cost: int, *, username: str, email: str, signing: bool = False
) -> Iterator[tuple[Harness, Account]]:
    """As `handler_on_moto`, with a verified account already in its table (the sign-in and
    reset benches time requests for it, as bench.localstage.stage_with_account does on the
    local stage); yields the harness and the account."""
    from tests.support.accounts import account_items

    with handler_on_moto(cost, signing=signing) as harness:
        account, items = account_items(username, email, pepper=harness.pepper, cost=cost)
        for item in items:
            harness.dynamodb.put_item(TableName=harness.table, Item=item)
        yield harness, account


def run_worker(module: str, *args: object) -> Any:
    """`python -m <module> <args...>` in a fresh interpreter; its stdout parsed as JSON."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", module, *(str(arg) for arg in args)],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    return json.loads(done.stdout)


def print_quietly(work: Callable[[], object]) -> None:
    """Run `work` with stdout sent to /dev/null, then print its result as JSON.

    The handler logs one JSON line per request to stdout, as on Lambda: that
    work stays in the measurement, but stdout must carry only the result.
    """
    from bench.quiet import handler_logs_discarded

    with handler_logs_discarded():
        result = work()
    print(json.dumps(result))
