"""The hostile catalogue through the real handler on moto: exact answers, zero 5xx, nothing partial.

The whole table runs once, in order (some cases expect a 409 from an earlier
one), and each case is then a test of its own so that a failure names it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.catalogue import (
    HostileRequest,
    accepted_sign_ups,
    hostile_requests,
    table_problems,
    to_event,
)
from tests.support.moto import function_on_moto
from tests.support.openapi import conformance_problems

pytestmark = pytest.mark.hardening

TAG = "0a1b2"
PENDING_FIELDS = {"username", "email", "status", "expiresAt"}
RESEND_FIELDS = {"status", "detail"}
CATALOGUE = hostile_requests(TAG)


@dataclass(frozen=True)
class Answer:
    """What the handler answered to one catalogue request."""

    request_id: str
    status: int
    headers: dict[str, str]
    text: str

    @property
    def body(self) -> dict[str, Any]:
        """The decoded JSON body."""
        parsed: dict[str, Any] = json.loads(self.text)
        return parsed


@dataclass(frozen=True)
class Run:
    """The answers to the whole catalogue, and the table afterwards."""

    answers: dict[str, Answer]
    items: list[dict[str, Any]]


@pytest.fixture(scope="module")
def run() -> Iterator[Run]:
    """Send every catalogue request, in order, to the handler on a fresh moto table."""
    with pytest.MonkeyPatch.context() as patch, function_on_moto(patch) as function:
        answers = {}
        for number, request in enumerate(CATALOGUE):
            request_id = f"hostile-{number:03d}"
            reply = function.invoke(to_event(request, request_id))
            answers[request.name] = Answer(request_id, reply.status, reply.headers, reply.text)
        items = function.items()
    yield Run(answers, items)


def test_catalogue_is_big_enough() -> None:
    assert len(CATALOGUE) >= 40
    assert len({request.name for request in CATALOGUE}) == len(CATALOGUE)


@pytest.mark.parametrize("request_", CATALOGUE, ids=[r.name for r in CATALOGUE])
def test_catalogue_answer(run: Run, request_: HostileRequest) -> None:
    answer = run.answers[request_.name]
    assert answer.status < 500, answer.text
    assert answer.status == request_.status, answer.text
    assert answer.headers["x-request-id"] == answer.request_id
    if request_.status < 300:
        expected = PENDING_FIELDS if request_.is_sign_up else RESEND_FIELDS
        assert set(answer.body) == expected
    else:
        assert [error["code"] for error in answer.body["errors"]] == list(request_.codes)
        assert answer.body["requestId"] == answer.request_id
        assert "Traceback" not in answer.text
    if request_.is_documented:
        problems = conformance_problems(
            answer.status, answer.headers, answer.text, request_.path, request_.method
        )
        assert problems == []


def test_catalogue_leaves_no_partial_user_and_nothing_rejected(run: Run) -> None:
    answers = [(r, run.answers[r.name].status, run.answers[r.name].text) for r in CATALOGUE]
    accepted = accepted_sign_ups(answers)
    assert len(accepted) == sum(r.is_sign_up and r.status == 200 for r in CATALOGUE)
    rejected = [r for r in CATALOGUE if run.answers[r.name].status >= 300]
    # A user, its address's claim and its link per surviving sign-up, and a
    # username claim for each accepted one (a replaced sign-up's stays claimed
    # until it expires); nothing else.
    survivors = len({email for _, email in accepted})
    usernames = [i for i in run.items if i["pk"]["S"].startswith("USERNAME#")]
    assert len(run.items) - len(usernames) == 3 * survivors
    assert survivors <= len(usernames) <= len(accepted)
    assert table_problems(run.items, accepted, rejected, TAG) == []


def test_table_check_catches_orphans_and_rejected_writes() -> None:
    def item(pk: str, user_id: str, **keys: str) -> dict[str, Any]:
        attrs = {"usernameKey": keys.get("u", ""), "emailKey": keys.get("e", "")}
        return {"pk": {"S": pk}, "userId": {"S": user_id}} | {k: {"S": v} for k, v in attrs.items()}

    rejected = next(r for r in CATALOGUE if r.name == "unknown-field")
    fields = rejected.json_fields()
    marker = f"USERNAME#{str(fields['username']).casefold()}"
    assert table_problems([item(marker, "u-1")], [], [rejected], TAG) == [
        f"{marker} points at missing USER#u-1",
        f"unknown-field: {marker} was written",
    ]
    stray_user = [item("USER#u-2", "u-2", u=f"h{TAG}n99")]
    assert table_problems(stray_user, [], [], TAG) != []
