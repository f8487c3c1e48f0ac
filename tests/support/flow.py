"""The sign-up flow in process over a moto table: the service, the mail worker, a hand-moved clock.

Faster than the handler and lets a test move time (cooldowns, expiry) and
watch each transaction; the handler suites cover the HTTP edge.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from backend.delivery import Delivery
from backend.email_verification import resend_verification, verify_email
from backend.hashing import PasswordHasher
from backend.messages import VERIFICATION, MailContext
from backend.sign_up import Registration, register_user
from backend.store import DynamoDBUserStore
from backend.store.counters import RateLimiter
from backend.store.outbox import DynamoDBOutbox
from contract.limits import RateLimit
from contract.rules import PasswordPolicy
from contract.table_keys import OUTBOX_PREFIX
from contract.tokens import link_key
from tests.support.mailbox import RecordingMailer, token_in
from tests.support.moto import TABLE
from tests.support.secrets import PASSWORDS, PEPPER
from tests.support.users import signup

HASHER: Final = PasswordHasher(PEPPER.encode(), cost=4)
DAY: Final = 86400
START: Final = 1_800_000_000.0


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


class Flow:
    """One service over a moto table: its store, its worker's outgoing mail, its clock."""

    def __init__(self, dynamodb: Any, *, mails_per_address: RateLimit | None = None) -> None:
        self.dynamodb = dynamodb
        self.mailer = RecordingMailer()
        self.clock = Clock()
        key = link_key(PEPPER.encode())
        self.store = DynamoDBUserStore(table_name=TABLE, client=dynamodb)
        self.deps = Registration(
            policy=PasswordPolicy(),
            hasher=HASHER,
            store=self.store,
            link_key=key,
            link_seconds=DAY,
        )
        self.worker = Delivery(
            outbox=DynamoDBOutbox(table_name=TABLE, client=dynamodb),
            mailer=self.mailer,
            mail=MailContext(sender="Example <no-reply@example.com>", web_url="https://w.example"),
            link_key=key,
            link_seconds=DAY,
            limiter=RateLimiter(table_name=TABLE, client=dynamodb, clock=self.clock),
            mails_per_address=mails_per_address,
            clock=self.clock,
        )

    def sign_up(self, **fields: object) -> dict[str, str]:
        return register_user(signup(**fields), self.deps, clock=self.clock).to_json()

    def deliver(self) -> list[str]:
        """The worker's outcome for each outbox item, as often as it queues new ones."""
        outcomes: list[str] = []
        for _ in range(3):
            keys = self.outbox_keys()
            if not keys:
                break
            outcomes += [self.worker.deliver(pk) for pk in keys]
        return outcomes

    def link(self, address: str = "ada@example.com") -> str:
        """The token of the newest verification mail to `address` (after delivering)."""
        self.deliver()
        mails = [m for m in self.mailer.to(address) if m.kind == VERIFICATION]
        return token_in(mails[-1].message)

    def verify(self, token: str, password: str = PASSWORDS[0]) -> dict[str, str]:
        payload = {"token": token, "password": password}
        return verify_email(payload, self.deps, clock=self.clock).to_json()

    def resend(self, address: str = "ada@example.com") -> Any:
        return resend_verification({"email": address}, self.deps, clock=self.clock)

    def items(self) -> dict[str, dict[str, Any]]:
        """Every item of the table by key (counters and the outbox too)."""
        pages = self.dynamodb.get_paginator("scan").paginate(TableName=TABLE, ConsistentRead=True)
        return {item["pk"]["S"]: item for page in pages for item in page["Items"]}

    def people(self) -> dict[str, dict[str, Any]]:
        """Users, claims and links: what a sign-up writes besides its mail and counters."""
        return {
            pk: item
            for pk, item in self.items().items()
            if pk.startswith(("USER#", "USERNAME#", "EMAIL#", "TOKEN#"))
        }

    def outbox_keys(self) -> list[str]:
        return sorted(pk for pk in self.items() if pk.startswith(OUTBOX_PREFIX))


def text(item: Mapping[str, Any], name: str) -> str | None:
    """A string attribute of a raw item."""
    value = item.get(name)
    return str(value["S"]) if value else None
