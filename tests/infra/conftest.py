"""Fixtures for the infrastructure tests: the built zip and one mock deployment per stack file."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.artifact import LambdaArtifact, build_artifact

ROOT = Path(__file__).resolve().parents[2]
PROJECT = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["name"]
STACK_FILES = sorted(ROOT.glob("Pulumi.*.yaml"))
STACKS = [path.name.removeprefix("Pulumi.").removesuffix(".yaml") for path in STACK_FILES]


def stack_settings(stack: str) -> dict[str, Any]:
    """The committed stack file's `signup:` keys, short names, YAML-typed."""
    raw = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    prefix = f"{PROJECT}:"
    return {key.removeprefix(prefix): value for key, value in raw.items() if key.startswith(prefix)}


def start_deployment(stack_file: Path, out: Path) -> subprocess.Popen[str]:
    """Run the program for `stack_file` under mocks in a fresh process (Pulumi state is global)."""
    command = [sys.executable, "-m", "tests.infra.mock_deploy", str(stack_file), str(out)]
    return subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.fixture(scope="session")
def artifact() -> LambdaArtifact:
    """The arm64 zip every stack deploys (built once, before the deployments need it)."""
    return build_artifact(source_root=ROOT, architecture="arm64")


@pytest.fixture(scope="session")
def deployments(
    artifact: LambdaArtifact, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, Any]]:
    """Each committed stack's registrations and outputs, the stacks run in parallel."""
    out_dir = tmp_path_factory.mktemp("deployments")
    running = {}
    for stack, path in zip(STACKS, STACK_FILES, strict=True):
        # A team's committed file may hold its encrypted pepper; the mocks
        # cannot decrypt it, so the copy leaves it out for the test pepper.
        data = yaml.safe_load(path.read_text())
        data["config"].pop(f"{PROJECT}:pepper", None)
        copy = out_dir / path.name
        copy.write_text(yaml.safe_dump(data))
        out = out_dir / f"{stack}.json"
        running[stack] = (start_deployment(copy, out), out)
    results = {}
    for stack, (process, out) in running.items():
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, f"{stack} failed:\n{stderr}"
        results[stack] = json.loads(out.read_text())
    return results


@pytest.fixture
def failed_deployment(tmp_path: Path) -> Callable[[dict[str, Any]], str]:
    """Deploy dev's stack file with `changes` applied; return the program's error output."""

    def run(changes: dict[str, Any]) -> str:
        stack_file = tmp_path / "Pulumi.dev.yaml"
        data = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())
        data["config"].update(changes)
        stack_file.write_text(yaml.safe_dump(data))
        process = start_deployment(stack_file, tmp_path / "out.json")
        _, stderr = process.communicate(timeout=120)
        assert process.returncode != 0, "the deployment should have been refused"
        return stderr

    return run
