"""Rate limits and idempotent retries over HTTP against DynamoDB Local, under 20 concurrent clients:
no more than LIMIT requests pass per window, counted exactly; concurrent replays make one user."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from contract.headers import FORWARDED_ADDRESS, FORWARDED_SECRET
from contract.routes import CREATE_USER
from infra.local.secrets import CLIENT_ADDRESS_SECRET_FILE
from tests.plugins.hygiene import register_secret
from tests.support.mailbox import read_outbox
from tests.support.stage import StageFactory, outbox_settled, table_items
from tests.support.users import unique_signup

pytestmark = [pytest.mark.integration, pytest.mark.slow]
CLIENTS = 20
LIMIT = 7
# A day: a 20-request burst never straddles two windows (in practice).
WINDOW = 86400


def all_at_once(url: str, requests: list[tuple[dict[str, Any], dict[str, str]]]) -> list[Any]:
    """POST each (body, headers) to createUser from its own client, all released together."""
    barrier = threading.Barrier(len(requests))

    def send(request: tuple[dict[str, Any], dict[str, str]]) -> httpx.Response:
        body, headers = request
        with httpx.Client(base_url=url, timeout=60.0) as client:
            barrier.wait()
            return client.post(CREATE_USER.path, json=body, headers=headers)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, requests))


def counters(stage: Any, scope: str) -> list[int]:
    items = table_items(stage, bookkeeping=True)
    return [int(i["hits"]["N"]) for pk, i in items.items() if pk.startswith(f"RATE#{scope}#")]


def test_limit_per_address_holds_exactly_under_20_clients(start_local_stage: StageFactory) -> None:
    stage = start_local_stage(env={"RATE_LIMIT_PER_ADDRESS": f"{LIMIT}/{WINDOW}"})
    # Spoofed forwarding headers, different on every request: all one client.
    requests = [
        (
            unique_signup(),
            {"x-forwarded-for": f"203.0.113.{n}", FORWARDED_ADDRESS: f"198.51.100.{n}"},
        )
        for n in range(CLIENTS)
    ]
    answers = all_at_once(stage.api_url, requests)
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * LIMIT + [429] * (CLIENTS - LIMIT)
    refused = [a for a in answers if a.status_code == 429]
    assert {a.json()["errors"][0]["code"] for a in refused} == {"rate_limited"}
    assert all(1 <= int(a.headers["retry-after"]) <= WINDOW for a in refused)
    assert counters(stage, "address") == [LIMIT]
    users = [pk for pk in table_items(stage) if pk.startswith("USER#")]
    assert len(users) == LIMIT  # the refused ones did nothing


def test_limit_per_address_counts_each_browser_the_web_server_vouches_for(
    start_local_stage: StageFactory,
) -> None:
    stage = start_local_stage(env={"RATE_LIMIT_PER_ADDRESS": f"2/{WINDOW}"})
    secret = (stage.data_dir / CLIENT_ADDRESS_SECRET_FILE).read_text().strip()
    register_secret(secret, "the web server's secret")

    def browser(address: str) -> dict[str, str]:
        return {FORWARDED_ADDRESS: address, FORWARDED_SECRET: secret}

    first = [
        httpx.post(f"{stage.api_url}{CREATE_USER.path}", json={}, headers=browser("198.51.100.1"))
        for _ in range(3)
    ]
    assert [a.status_code for a in first] == [400, 400, 429]
    second = httpx.post(
        f"{stage.api_url}{CREATE_USER.path}", json={}, headers=browser("198.51.100.2")
    )
    assert second.status_code == 400  # counted on its own


def test_limit_per_identifier_holds_exactly_under_20_clients(
    start_local_stage: StageFactory,
) -> None:
    stage = start_local_stage(env={"RATE_LIMIT_PER_IDENTIFIER": f"5/{WINDOW}"})
    address = unique_signup()["email"]
    requests = [(unique_signup(email=address), {}) for _ in range(CLIENTS)]
    answers = all_at_once(stage.api_url, requests)
    statuses = [a.status_code for a in answers]
    assert statuses.count(429) == CLIENTS - 5
    # The five let through race each other for the address: each replaces the
    # last (200), or is told to retry (503) when the others kept moving it.
    assert set(statuses) - {429} <= {200, 503}
    assert counters(stage, "email") == [5]
    outbox_settled(stage)
    mails = [m for m in read_outbox(stage.data_dir / "mail") if m["To"] == address]
    assert len(mails) == statuses.count(200) <= 5


def test_idempotent_replays_under_20_clients_make_one_user(start_local_stage: StageFactory) -> None:
    stage = start_local_stage()
    body = unique_signup()
    key = {"idempotency-key": f"replay-{body['username']}"}
    answers = all_at_once(stage.api_url, [(body, key)] * CLIENTS)
    statuses = {a.status_code for a in answers}
    assert statuses <= {200, 409}, statuses
    done = [a for a in answers if a.status_code == 200]
    assert done and len({a.text for a in done}) == 1  # every 200 is the same answer
    waiting = [a for a in answers if a.status_code == 409]
    assert all(a.json()["errors"][0]["code"] == "request_in_progress" for a in waiting)
    # And once the first has finished, a retry gets its answer too.
    again = httpx.post(f"{stage.api_url}{CREATE_USER.path}", json=body, headers=key)
    assert (again.status_code, again.text) == (200, done[0].text)
    users = [pk for pk in table_items(stage) if pk.startswith("USER#")]
    assert len(users) == 1
    outbox_settled(stage)
    assert len([m for m in read_outbox(stage.data_dir / "mail") if m["To"] == body["email"]]) == 1
