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

from infra.build.lambda_zip import LambdaArtifact, build_artifact
from infra.build.page_export import StaticSite, build_site
from infra.stack.schema import SECRET_KEYS, read_stack_file

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
    command = [sys.executable, "-m", "tests.support.mock_deploy", str(stack_file), str(out)]
    return subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.fixture(scope="session")
def artifact() -> LambdaArtifact:
    """The arm64 zip every stack deploys (built once, before the deployments need it)."""
    return build_artifact(source_root=ROOT, architecture="arm64")


@pytest.fixture(scope="session")
def sites() -> dict[int, StaticSite]:
    """The page's export for each committed stack's password minimum (built once, cached)."""
    lengths = {read_stack_file(path).password_min_length for path in STACK_FILES}
    return {n: build_site(source_root=ROOT, password_min_length=n) for n in sorted(lengths)}


def deploy_all(
    stack_configs: dict[str, dict[str, Any]], out_dir: Path
) -> dict[str, dict[str, Any]]:
    """Run each `{name: stack file's config}` under mocks, in parallel; their registrations."""
    running = {}
    for name, config in stack_configs.items():
        folder = out_dir / name
        folder.mkdir()
        # The stack's name is the file's: the variants are all dev.
        stack = name.split("+")[0]
        stack_file = folder / f"Pulumi.{stack}.yaml"
        stack_file.write_text(yaml.safe_dump({"config": config}))
        running[name] = (start_deployment(stack_file, folder / "out.json"), folder / "out.json")
    results = {}
    for name, (process, out) in running.items():
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, f"{name} failed:\n{stderr}"
        results[name] = json.loads(out.read_text())
    return results


def _committed_config(path: Path) -> dict[str, Any]:
    # A team's committed file may hold its encrypted secrets; the mocks cannot
    # decrypt them, so the copy leaves them out for the test ones.
    config: dict[str, Any] = yaml.safe_load(path.read_text())["config"]
    for key in SECRET_KEYS:
        config.pop(f"{PROJECT}:{key}", None)
    return config


@pytest.fixture(scope="session")
def deployments(
    artifact: LambdaArtifact, sites: dict[int, StaticSite], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, Any]]:
    """Each committed stack's registrations and outputs, the stacks run in parallel."""
    configs = {s: _committed_config(p) for s, p in zip(STACKS, STACK_FILES, strict=True)}
    return deploy_all(configs, tmp_path_factory.mktemp("deployments"))


# Dev's stack with the page's optional parts turned on, or the page off.
CUSTOM_DOMAINS = {
    "domain": "signup.example.com",
    "certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-0123",
    "originDomain": "origin.signup.example.com",
    "originCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-dddd-eeee",
}
VARIANTS: dict[str, dict[str, Any]] = {
    "custom-domains": CUSTOM_DOMAINS,
    "no-web": {"enabled": False},
}


@pytest.fixture(scope="session")
def variants(
    artifact: LambdaArtifact, sites: dict[int, StaticSite], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, Any]]:
    """Dev's stack deployed with each of VARIANTS merged into its `web` object (in parallel)."""
    configs = {}
    for variant, changes in VARIANTS.items():
        config = _committed_config(ROOT / "Pulumi.dev.yaml")
        config[f"{PROJECT}:web"] = {**config[f"{PROJECT}:web"], **changes}
        configs[f"dev+{variant}"] = config
    deployed = deploy_all(configs, tmp_path_factory.mktemp("variants"))
    return {name.split("+")[1]: deployment for name, deployment in deployed.items()}


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
