"""The deployment workflow previews on pull requests and rolls out dev, staging, prod in order,
each smoke-tested against the URL its own stack exported."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "deploy.yml"
STAGES = ("dev", "staging", "prod")
PULUMI_ACTION = re.compile(r"^pulumi/actions@v\d+$")


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    """The parsed workflow (PyYAML reads the `on` key as True, YAML 1.1's boolean)."""
    document: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    document["on"] = document.pop(True, document.get("on"))
    return document


def pulumi_steps(job: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """The job's steps that use the official Pulumi action, with their positions."""
    return [
        (i, step)
        for i, step in enumerate(job["steps"])
        if PULUMI_ACTION.match(step.get("uses", ""))
    ]


def deploy_job(workflow: dict[str, Any], stage: str) -> dict[str, Any]:
    """The job that runs `pulumi up` for `stage` (exactly one)."""
    jobs = [
        job
        for job in workflow["jobs"].values()
        if any(
            s["with"]["command"] == "up" and s["with"]["stack-name"] == stage
            for _, s in pulumi_steps(job)
        )
    ]
    assert len(jobs) == 1, f"expected one `pulumi up` job for {stage}"
    return jobs[0]


def job_name(workflow: dict[str, Any], job: dict[str, Any]) -> str:
    """The id of `job` in the workflow."""
    return next(name for name, candidate in workflow["jobs"].items() if candidate is job)


def test_deploy_workflow_triggers_on_pull_requests_and_main(workflow: dict[str, Any]) -> None:
    assert set(workflow["on"]) == {"pull_request", "push"}
    assert workflow["on"]["push"]["branches"] == ["main"]


def test_deploy_workflow_previews_every_stack_on_pull_requests(workflow: dict[str, Any]) -> None:
    previews = [
        job
        for job in workflow["jobs"].values()
        if any(s["with"]["command"] == "preview" for _, s in pulumi_steps(job))
    ]
    assert len(previews) == 1
    job = previews[0]
    assert "pull_request" in job["if"]
    assert set(job["strategy"]["matrix"]["stack"]) == set(STAGES)
    assert pulumi_steps(job)[0][1]["with"]["stack-name"] == "${{ matrix.stack }}"


def test_deploy_workflow_rolls_out_dev_then_staging_then_prod(workflow: dict[str, Any]) -> None:
    dev, staging, prod = (deploy_job(workflow, stage) for stage in STAGES)
    assert "needs" not in dev
    assert "push" in dev["if"] and "refs/heads/main" in dev["if"]
    assert _needs(staging) == {job_name(workflow, dev)}
    assert _needs(prod) == {job_name(workflow, staging)}


@pytest.mark.parametrize("stage", STAGES)
def test_deploy_workflow_smoke_tests_each_stage_from_its_outputs(
    workflow: dict[str, Any], stage: str
) -> None:
    job = deploy_job(workflow, stage)
    steps = job["steps"]
    up_index = pulumi_steps(job)[0][0]
    outputs_index, outputs = next(
        (i, s) for i, s in enumerate(steps) if "pulumi stack output --json" in s.get("run", "")
    )
    smoke_index, smoke = next(
        (i, s) for i, s in enumerate(steps) if "pytest tests/smoke" in s.get("run", "")
    )
    assert up_index < outputs_index < smoke_index
    # The outputs step reads this stack's apiUrl ...
    stack_ref = outputs["run"].split("--stack", 1)[1].split()[0].strip('"')
    assert stack_ref in (stage, "$STACK")
    assert stack_ref == stage or job["env"]["STACK"] == stage
    assert ".apiUrl" in outputs["run"]
    # ... and the smoke step takes its URL from that step and nowhere else.
    assert smoke["env"]["API_URL"] == f"${{{{ steps.{outputs['id']}.outputs.api-url }}}}"
    assert '--base-url "$API_URL"' in smoke["run"]


def _needs(job: dict[str, Any]) -> set[str]:
    needs = job.get("needs", [])
    return {needs} if isinstance(needs, str) else set(needs)


@pytest.mark.parametrize("stage", STAGES)
def test_deploy_workflow_checks_each_stages_hosted_page_after_the_smoke_suite(
    workflow: dict[str, Any], stage: str
) -> None:
    steps = deploy_job(workflow, stage)["steps"]
    smoke_index = next(i for i, s in enumerate(steps) if "pytest tests/smoke " in s.get("run", ""))
    page_index, page = next(
        (i, s) for i, s in enumerate(steps) if "tests/smoke/test_web_page.py" in s.get("run", "")
    )
    assert smoke_index < page_index
    # The URL is this stack's own webUrl output (the outputs step wrote the file).
    assert "--web-url" in page["run"] and ".webUrl" in page["run"]
    assert "stack-outputs.json" in page["run"]
