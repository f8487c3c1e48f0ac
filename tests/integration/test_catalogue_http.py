"""The hostile catalogue over HTTP against the local stage: same answers, zero 5xx, nothing partial.

Here API Gateway's stand-in answers first where a real stage's would (other
methods, bodies over its 10 MiB quota) and the body travels as bytes, so
invalid UTF-8 and binary bodies reach the function base64-encoded, as on AWS.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from infra.local import dynamodb_local
from tests.plugins.hygiene import assert_clean, register_secret
from tests.support.catalogue import (
    HostileRequest,
    accepted_sign_ups,
    hostile_requests,
    table_problems,
)
from tests.support.openapi import conformance_problems
from tests.support.stage_process import LocalStageProcess

pytestmark = [pytest.mark.hardening, pytest.mark.slow, pytest.mark.integration]

# Names only, for the test ids; the run uses a fresh tag so it can share the table.
NAMES = [request.name for request in hostile_requests("00000")]
TABLE = "users"
BANNER_END = "Press Ctrl-C to stop."


@dataclass(frozen=True)
class HttpRun:
    """The answers to the whole catalogue over HTTP, and the table afterwards."""

    requests: dict[str, HostileRequest]
    answers: dict[str, httpx.Response]
    items: list[dict[str, Any]]
    tag: str


def send(client: httpx.Client, request: HostileRequest) -> httpx.Response:
    """Send the request exactly: its bytes, its headers in order (repeats kept)."""
    try:
        return client.request(
            request.method, request.path, content=request.body, headers=request.headers
        )
    except httpx.WriteError:
        # The gateway answers an oversized body at once and hangs up while the
        # rest is still being sent; resend the head only to read that answer.
        head = [*request.headers, ("content-length", str(len(request.body)))]
        with httpx.Client(base_url=str(client.base_url), timeout=client.timeout) as fresh:
            return fresh.request(request.method, request.path, headers=head)


@pytest.fixture(scope="module")
def http_run(local_stage: LocalStageProcess) -> Iterator[HttpRun]:
    """Send every catalogue request, in order, to the session's local stage."""
    register_secret((local_stage.data_dir / "pepper").read_text("ascii").strip(), "the pepper")
    tag = secrets.token_hex(3)[:5]
    catalogue = hostile_requests(tag)
    with httpx.Client(base_url=local_stage.api_url, timeout=60.0) as client:
        answers = {request.name: send(client, request) for request in catalogue}
    ddb = dynamodb_local.client(local_stage.dynamodb_endpoint, "us-east-1")
    pages = ddb.get_paginator("scan").paginate(TableName=TABLE, ConsistentRead=True)
    items = [item for page in pages for item in page["Items"]]
    yield HttpRun({r.name: r for r in catalogue}, answers, items, tag)


@pytest.mark.parametrize("name", NAMES)
def test_catalogue_http_answer(http_run: HttpRun, name: str) -> None:
    request, answer = http_run.requests[name], http_run.answers[name]
    assert answer.status_code < 500, answer.text
    assert_clean([answer.text, str(answer.headers)], "a response")
    if request.gateway_status is not None:
        assert answer.status_code == request.gateway_status, answer.text
        assert set(answer.json()) == {"message"}  # API Gateway's own answer
        return
    assert answer.status_code == request.status, answer.text
    if request.status >= 300:
        assert [error["code"] for error in answer.json()["errors"]] == list(request.codes)
        assert answer.json()["requestId"] == answer.headers["x-request-id"]
    problems = conformance_problems(
        answer.status_code, dict(answer.headers), answer.content, request.path, request.method
    )
    assert problems == []


def test_catalogue_http_leaves_no_partial_user_and_nothing_rejected(http_run: HttpRun) -> None:
    requests = list(http_run.requests.values())
    answers = [
        (r, http_run.answers[r.name].status_code, http_run.answers[r.name].text) for r in requests
    ]
    accepted = accepted_sign_ups(answers)
    assert len(accepted) == sum(r.is_sign_up and r.status == 200 for r in requests)
    rejected = [r for r in requests if http_run.answers[r.name].status_code >= 300]
    assert table_problems(http_run.items, accepted, rejected, http_run.tag) == []


def test_catalogue_http_stage_log_holds_no_secret(
    http_run: HttpRun, local_stage: LocalStageProcess
) -> None:
    # The stage runs in its own process: its log lines are checked here. Its
    # start-up banner shows an example curl with a sample password (one the
    # unit tests also use); only what it logged while serving counts.
    log = local_stage.log_file.read_text("utf-8", "replace")
    assert BANNER_END in log
    assert_clean([log.split(BANNER_END)[-1]], "the local stage's log")
