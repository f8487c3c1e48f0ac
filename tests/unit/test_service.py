"""The service layer without AWS: register_user and handle_request over an in-memory store."""

from __future__ import annotations

import json
from typing import Any

import pytest

from backend.app import Dependencies, handle_request
from backend.errors import IdentityTaken, StoreUnavailable
from backend.hashing import PasswordHasher
from backend.rules import InvalidSignup, PasswordPolicy
from backend.service import UserRecord, register_user
from tests.support.events import api_event
from tests.support.memory_store import InMemoryUserStore
from tests.support.secrets import PASSWORDS, PEPPER
from tests.support.users import signup

HASHER = PasswordHasher(PEPPER.encode(), cost=4)


def register(store: InMemoryUserStore, **fields: object) -> Any:
    return register_user(
        signup(**fields),
        policy=PasswordPolicy(),
        hasher=HASHER,
        store=store,
        now=lambda: "2026-11-30T00:00:00.000Z",
        new_id=lambda: f"id-{len(store.users)}",
    )


def test_register_user_stores_normalised_identity_and_a_verifiable_hash() -> None:
    store = InMemoryUserStore()
    user = register(store, username="Ａｄａ", email="Ada@EXAMPLE.com")
    assert user.to_json() == {
        "userId": "id-0",
        "username": "Ada",
        "email": "Ada@example.com",
        "createdAt": "2026-11-30T00:00:00.000Z",
    }
    record = store.users["id-0"]
    assert (record.username_key, record.email_key) == ("ada", "ada@example.com")
    assert HASHER.verify(PASSWORDS[0], record.password_hash)
    assert record.password_hash not in repr(record)


def test_register_user_rule_break_stores_nothing() -> None:
    store = InMemoryUserStore()
    with pytest.raises(InvalidSignup) as raised:
        register(store, password="short")
    assert [p.code for p in raised.value.problems] == ["password_too_short"]
    assert store.users == {}


def test_register_user_taken_identity_stores_nothing_more() -> None:
    store = InMemoryUserStore()
    register(store)
    with pytest.raises(IdentityTaken) as raised:
        register(store, username="ADALOVELACE", email="ADA@example.com")
    assert raised.value.fields == ("username", "email")
    assert len(store.users) == 1


class _FailingStore:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def add_user(self, user: UserRecord) -> None:
        raise self.error


def answer(store: object, event: dict[str, Any]) -> tuple[int, list[str], dict[str, str]]:
    deps = Dependencies(policy=PasswordPolicy(), hasher=HASHER, store=store)
    outcome = handle_request(event, lambda: deps)
    body = json.loads(outcome.response["body"])
    codes = [error["code"] for error in body.get("errors", [])]
    return outcome.response["statusCode"], codes, outcome.response["headers"]


@pytest.mark.parametrize(
    ("event", "status", "codes"),
    [
        (api_event(signup()), 200, []),
        (api_event(signup(password="short")), 400, ["password_too_short"]),
        (api_event(signup(), path="/users"), 404, ["route_not_found"]),
        (api_event(signup(), method="PUT"), 405, ["method_not_allowed"]),
        (
            api_event(signup(), headers={"content-type": "text/plain"}),
            415,
            ["unsupported_media_type"],
        ),
    ],
)
def test_handle_request_maps_each_outcome(
    event: dict[str, Any], status: int, codes: list[str]
) -> None:
    assert answer(InMemoryUserStore(), event)[:2] == (status, codes)


def test_handle_request_taken_is_409_with_each_field() -> None:
    store = InMemoryUserStore()
    assert answer(store, api_event(signup()))[0] == 200
    status, codes, _ = answer(store, api_event(signup(email="ADA@example.com")))
    assert (status, codes) == (409, ["username_taken", "email_taken"])


def test_handle_request_unavailable_store_is_503_with_retry_after() -> None:
    status, codes, headers = answer(_FailingStore(StoreUnavailable("x")), api_event(signup()))
    assert (status, codes, headers["retry-after"]) == (503, ["store_unavailable"], "1")


def test_handle_request_bug_is_500_without_detail() -> None:
    status, codes, _ = answer(_FailingStore(KeyError("bug")), api_event(signup()))
    assert (status, codes) == (500, ["internal_error"])


def test_handle_request_405_names_the_allowed_methods() -> None:
    _, _, headers = answer(InMemoryUserStore(), api_event(signup(), method="GET"))
    assert headers["allow"] == "POST"
