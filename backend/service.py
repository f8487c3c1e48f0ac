"""Registering a user: validate, hash, store; no HTTP and no environment here."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from backend.hashing import PasswordHasher
from backend.rules import PasswordPolicy, validate_signup


@dataclass(frozen=True, slots=True)
class UserRecord:
    """Everything stored about a new user."""

    user_id: str
    username: str
    username_key: str
    email: str
    email_key: str
    created_at: str
    password_hash: str = field(repr=False)


class UserStore(Protocol):
    """Where users are kept: DynamoDB in production (backend/store.py), memory in tests."""

    def add_user(self, user: UserRecord) -> None:
        """Add the user and claim its username and email atomically, or raise IdentityTaken."""


@dataclass(frozen=True, slots=True)
class PublicUser:
    """What a client may see of a user: no hash, no key, nothing secret."""

    user_id: str
    username: str
    email: str
    created_at: str

    def to_json(self) -> dict[str, str]:
        """The 200 response body."""
        return {
            "userId": self.user_id,
            "username": self.username,
            "email": self.email,
            "createdAt": self.created_at,
        }


def utc_timestamp() -> str:
    """Now, as ISO 8601 UTC with milliseconds and a `Z`."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def register_user(
    payload: Mapping[str, object],
    *,
    policy: PasswordPolicy,
    hasher: PasswordHasher,
    store: UserStore,
    now: Callable[[], str] = utc_timestamp,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> PublicUser:
    """Add a user or raise InvalidSignup, IdentityTaken or StoreUnavailable; nothing partial."""
    signup = validate_signup(payload, policy=policy)
    # Hash before the write even though a taken name wastes the work: the
    # response time then does not tell an attacker which step failed.
    record = UserRecord(
        user_id=new_id(),
        username=signup.username,
        username_key=signup.username_key,
        email=signup.email,
        email_key=signup.email_key,
        created_at=now(),
        password_hash=hasher.hash(signup.password),
    )
    store.add_user(record)
    return PublicUser(record.user_id, record.username, record.email, record.created_at)
