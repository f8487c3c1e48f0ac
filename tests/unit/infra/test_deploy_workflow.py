"""The deployment workflow previews dev on pull requests and rolls out dev, staging, prod in order,
each preflighted and previewed in its own environment, then smoke-tested against the URL its own
stack exported; its actions are pinned by commit SHA and each job holds only the permissions and
secrets it uses; no pull-request job reaches staging's or prod's token or role."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

WORKFLOWS = Path(__file__).resolve().parents[3] / ".github" / "workflows"
WORKFLOW = WORKFLOWS / "deploy.yml"
STAGES = ("dev", "staging", "prod")
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}$")
PULUMI_ACTION = re.compile(r"^pulumi/actions@[0-9a-f]{40}$")
AWS_CREDENTIALS = re.compile(r"^aws-actions/configure-aws-credentials@")
# A `uses:` line as written: the SHA, then the release it is, for a reader and for Dependabot.
USES_LINE = re.compile(r"^\s*(?:- )?uses: (?P<ref>\S+) # v\d+(?:\.\d+){0,2}$")


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


def _pull_request_jobs(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    """Every job a pull request can start: its `if` does not require a push, nor do its needs'."""
    jobs = workflow["jobs"]

    def on_pull_request(name: str) -> bool:
        job = jobs[name]
        return "push" not in job.get("if", "") and all(map(on_pull_request, _needs(job)))

    return [job for name, job in jobs.items() if on_pull_request(name)]


def test_pull_requests_preview_dev_only(workflow: dict[str, Any]) -> None:
    (job,) = _pull_request_jobs(workflow)
    assert "pull_request" in job["if"]
    assert "strategy" not in job  # one stack, named below, not a matrix
    assert [step["with"] for _, step in pulumi_steps(job)] == [
        {
            "command": "preview",
            "stack-name": "dev",
            "pulumi-version-file": "${{ runner.temp }}/pulumi-version",
            "comment-on-pr": True,
        }
    ]


def test_no_pull_request_job_reaches_staging_or_prod(workflow: dict[str, Any]) -> None:
    # The token decrypts a stack's config secrets: a pull request's code may
    # hold only the preview environment's, never a deploying stage's.
    for job in _pull_request_jobs(workflow):
        assert job["environment"] not in STAGES
        text = yaml.safe_dump(job)
        assert "staging" not in text and "prod" not in text
        assert _assumed_roles(job) == {"${{ secrets.AWS_PREVIEW_ROLE_ARN }}"}


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_is_preflighted_and_previewed_in_its_environment_before_up(
    workflow: dict[str, Any], stage: str
) -> None:
    job = deploy_job(workflow, stage)
    assert job["environment"] == stage and job["env"]["STACK"] == stage
    steps = job["steps"]
    commands = [(i, s["with"]["command"], s["with"]["stack-name"]) for i, s in pulumi_steps(job)]
    (preview,) = [i for i, command, name in commands if command == "preview" and name == stage]
    (up,) = [i for i, command, _ in commands if command == "up"]
    (preflight,) = [i for i, s in enumerate(steps) if "make preflight" in s.get("run", "")]
    assert 'STACK="$STACK"' in steps[preflight]["run"]
    credentials = next(i for i, s in enumerate(steps) if "configure-aws" in s.get("uses", ""))
    assert credentials < preflight < preview < up


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


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def _parsed(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return document


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.y*ml")), ids=lambda p: p.name)
def test_workflows_pin_every_action_to_a_commit_sha_with_its_version(path: Path) -> None:
    uses = [step["uses"] for step in _steps(_parsed(path)) if "uses" in step]
    assert uses
    assert [u for u in uses if not PINNED.match(u)] == []
    # The raw text, for the comments the YAML parser drops: every `uses:` line
    # names its release, and those lines are exactly the steps parsed above.
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if "uses:" in line]
    matches = [USES_LINE.match(line) for line in lines]
    assert [line for line, match in zip(lines, matches, strict=True) if not match] == []
    assert sorted(match["ref"] for match in matches if match) == sorted(uses)


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.y*ml")), ids=lambda p: p.name)
def test_workflows_checkouts_leave_no_token_in_the_workspace(path: Path) -> None:
    checkouts = [
        s for s in _steps(_parsed(path)) if s.get("uses", "").startswith("actions/checkout@")
    ]
    assert checkouts
    assert all(step.get("with", {}).get("persist-credentials") is False for step in checkouts)


def test_deploy_workflow_grants_each_job_only_the_permissions_it_uses(
    workflow: dict[str, Any],
) -> None:
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        uses = [step.get("uses", "") for step in job["steps"]]
        expected = {"contents": "read"}
        if any(AWS_CREDENTIALS.match(u) for u in uses):
            expected["id-token"] = "write"  # OIDC, to assume the AWS role
        if any(step["with"].get("comment-on-pr") for _, step in pulumi_steps(job)):
            expected["pull-requests"] = "write"
        assert job["permissions"] == expected, name
    assert "pull-requests" in workflow["jobs"]["preview"]["permissions"]
    assert all("id-token" in deploy_job(workflow, stage)["permissions"] for stage in STAGES)


def test_deploy_workflow_gives_the_pulumi_token_only_to_steps_that_run_pulumi(
    workflow: dict[str, Any],
) -> None:
    assert not any("secrets." in str(value) for value in workflow.get("env", {}).values())
    for job in workflow["jobs"].values():
        assert not any("secrets." in str(value) for value in job.get("env", {}).values())
        for step in job["steps"]:
            if "PULUMI_ACCESS_TOKEN" in step.get("env", {}):
                action, script = step.get("uses", ""), step.get("run", "")
                assert PULUMI_ACTION.match(action) or script.startswith("pulumi "), action or script
        assert any("PULUMI_ACCESS_TOKEN" in s.get("env", {}) for _, s in pulumi_steps(job))


def _assumed_roles(job: dict[str, Any]) -> set[str]:
    return {
        step["with"]["role-to-assume"]
        for step in job["steps"]
        if "configure-aws-credentials" in step.get("uses", "")
    }


def test_deploy_workflow_previews_assume_the_read_only_role(workflow: dict[str, Any]) -> None:
    # A pull request can change what its jobs run: it never gets a deploy role
    # (docs/deploy-role.md: each trusts only its own stage's environment).
    preview = workflow["jobs"]["preview"]
    assert _assumed_roles(preview) == {"${{ secrets.AWS_PREVIEW_ROLE_ARN }}"}
    assert preview["environment"] == "preview"
    for stage in STAGES:
        job = deploy_job(workflow, stage)
        assert _assumed_roles(job) == {"${{ secrets.AWS_DEPLOY_ROLE_ARN }}"}
        assert job["environment"] == stage  # the OIDC subject the deploy role trusts


def test_deploy_workflow_reads_the_smoke_origin_with_the_stack_schema(
    workflow: dict[str, Any],
) -> None:
    runs = [step.get("run", "") for step in _steps(workflow)]
    origin_steps = [run for run in runs if "origin=" in run]
    assert origin_steps
    assert all("python -m infra.stack.schema " in run for run in origin_steps)


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
