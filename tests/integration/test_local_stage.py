"""The full path over HTTP: local gateway, real handler, DynamoDB Local on disk."""

from __future__ import annotations

import stat
import uuid
from collections.abc import Iterator

import httpx
import pytest

from infra.local.process import LocalStageProcess
from tests.support.stage import StageFactory, post_all_at_once, suite_stage_running, table_items
from tests.support.users import unique_signup

pytestmark = [pytest.mark.integration, pytest.mark.slow]
RACERS = 50


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStageProcess]:
    """A stage of this module's own, so table scans see only these tests' writes."""
    with suite_stage_running(tmp_path_factory.mktemp("race") / "data") as process:
        yield process


def test_local_stage_users_survive_restart(start_local_stage: StageFactory) -> None:
    stage = start_local_stage()
    alice = unique_signup()
    created = httpx.post(f"{stage.api_url}/createUser", json=alice, timeout=30)
    assert created.status_code == 200, created.text
    pepper = (stage.data_dir / "pepper").read_bytes()

    stage.stop()
    stage.start()

    again = httpx.post(f"{stage.api_url}/createUser", json=alice, timeout=30)
    assert again.status_code == 409
    assert {e["code"] for e in again.json()["errors"]} <= {"username_taken", "email_taken"}
    assert f"USER#{created.json()['userId']}" in table_items(stage)
    # Same pepper after the restart, still private: old hashes stay verifiable.
    assert (stage.data_dir / "pepper").read_bytes() == pepper
    assert stat.S_IMODE((stage.data_dir / "pepper").stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("field", "shared"),
    [
        ("username", f"race-{uuid.uuid4().hex[:10]}"),
        ("email", f"race-{uuid.uuid4().hex[:10]}@example.com"),
    ],
    ids=["username", "email"],
)
def test_local_stage_50_racers_for_one_identity_one_wins(
    stage: LocalStageProcess, field: str, shared: str
) -> None:
    # Half the racers send the other letter case: uniqueness is case-insensitive.
    bodies = [unique_signup(**{field: shared.upper() if i % 2 else shared}) for i in range(RACERS)]
    before = table_items(stage)

    responses = post_all_at_once(stage.api_url, bodies)

    assert sorted(r.status_code for r in responses) == [200] + [409] * (RACERS - 1)
    losers = [r for r in responses if r.status_code == 409]
    assert all(r.json()["errors"][0]["code"] == f"{field}_taken" for r in losers)
    winner = next(r.json() for r in responses if r.status_code == 200)
    _assert_only_winner_written(stage, before, winner)


def _assert_only_winner_written(
    stage: LocalStageProcess, before: dict[str, object], winner: dict[str, str]
) -> None:
    added = set(table_items(stage)) - set(before)
    assert added == {
        f"USER#{winner['userId']}",
        f"USERNAME#{winner['username'].casefold()}",
        f"EMAIL#{winner['email'].casefold()}",
    }
