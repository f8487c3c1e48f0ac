"""Idempotent retries through the real handler on moto: the first answer again, nothing twice."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from backend.handler import create_handler
from contract.routes import RESEND_VERIFICATION
from tests.support.events import JSON_TYPE, api_event
from tests.support.moto import MotoFunction, Reply, function_settings
from tests.support.secrets import PASSWORDS
from tests.support.users import signup

KEY = "b7d5a3c0-6f1e-4c52-9a8b-0c1d2e3f4a5b"


def keyed(body: dict[str, Any], key: str = KEY, **kwargs: Any) -> dict[str, Any]:
    return api_event(body, headers=(*JSON_TYPE, ("idempotency-key", key)), **kwargs)


def records(function: MotoFunction) -> list[dict[str, Any]]:
    return [i for i in function.all_items() if i["pk"]["S"].startswith("IDEMPOTENCY#")]


def test_idempotent_retry_replays_the_first_answer_and_does_nothing_twice(
    function: MotoFunction,
) -> None:
    first = function.invoke(keyed(signup()))
    second = function.invoke(keyed(signup()))
    assert first.status == second.status == 200
    assert second.body == first.body
    assert len([k for k in function.user_keys() if k.startswith("USER#")]) == 1
    assert len(function.mails("ada@example.com")) == 1


def test_idempotent_retry_of_a_resend_replays_the_202(function: MotoFunction) -> None:
    body = {"email": "nobody@example.com"}
    first = function.invoke(keyed(body, path=RESEND_VERIFICATION.path))
    second = function.invoke(keyed(body, path=RESEND_VERIFICATION.path))
    assert (first.status, second.status) == (202, 202)
    assert first.body == second.body


def test_idempotency_key_with_another_request_is_422(function: MotoFunction) -> None:
    assert function.invoke(keyed(signup())).status == 200
    before = function.user_keys()
    other = function.invoke(keyed(signup(password=PASSWORDS[1])))
    assert (other.status, other.codes) == (422, ["idempotency_key_reused"])
    assert other.headers["content-type"] == "application/problem+json"
    assert function.user_keys() == before


def test_idempotency_key_while_the_first_runs_is_409_in_progress(
    function: MotoFunction, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The retry arrives while the first request is still hashing.
    inner: list[Reply] = []
    settings = function_settings()
    handler = MotoFunction(create_handler(lambda: settings), function.dynamodb)
    from backend.hashing import PasswordHasher

    real_hash = PasswordHasher.hash

    def hash_and_retry(self: PasswordHasher, password: str) -> str:
        if not inner:
            inner.append(handler.invoke(keyed(signup())))
        return real_hash(self, password)

    monkeypatch.setattr(PasswordHasher, "hash", hash_and_retry)
    first = handler.invoke(keyed(signup()))
    assert first.status == 200
    (retry,) = inner
    assert (retry.status, retry.codes) == (409, ["request_in_progress"])
    assert retry.headers["retry-after"] == "1"
    assert len(function.mails("ada@example.com")) == 1


def test_idempotency_failed_request_releases_its_key(function: MotoFunction) -> None:
    function.invoke(api_event(signup(username="Someone")))
    failed = function.invoke(keyed(signup(username="someone", email="other@example.com")))
    assert failed.codes == ["username_taken"]
    assert records(function) == []  # only successes are remembered
    assert function.invoke(keyed(signup(username="another"))).status == 200


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there", "é-non-ascii"])
def test_idempotency_key_must_be_printable_ascii(function: MotoFunction, key: str) -> None:
    reply = function.invoke(keyed(signup(), key=key))
    assert (reply.status, reply.codes) == (400, ["idempotency_key_invalid"])
    assert function.user_keys() == [] and records(function) == []


def test_idempotency_record_is_no_password_oracle(function: MotoFunction) -> None:
    body = signup()
    function.invoke(keyed(body))
    (record,) = records(function)
    stored = json.dumps(record)
    assert PASSWORDS[0] not in stored
    # No plain (unkeyed) digest of the password or of the request appears:
    # the fingerprint is an HMAC under a key derived from the pepper.
    for text in (PASSWORDS[0], json.dumps(body), json.dumps(body, sort_keys=True)):
        for algorithm in ("md5", "sha1", "sha256"):
            assert hashlib.new(algorithm, text.encode()).hexdigest() not in stored
    assert record["expiresAt"]  # the table's TTL attribute: gone after a day


def test_idempotency_fingerprint_depends_on_the_pepper() -> None:
    from backend.idempotency import IdempotentRequests
    from contract.routes import CREATE_USER

    payload = signup()
    one = IdempotentRequests(client=None, table_name="t", pepper=b"p" * 32)
    two = IdempotentRequests(client=None, table_name="t", pepper=b"q" * 32)
    assert one.fingerprint(CREATE_USER, payload) != two.fingerprint(CREATE_USER, payload)
    assert one.fingerprint(CREATE_USER, payload) == one.fingerprint(CREATE_USER, dict(payload))
