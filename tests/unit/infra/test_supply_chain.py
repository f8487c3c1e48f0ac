"""The chain from lock file to running code: hashed locks that match their sources and each
other, a weekly update bot for every lock, security lint findings silenced only with a reason."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.plugins.deployments import ROOT
from tests.support.locks import normalize, read_lock, requirement_lines

DEV_LOCK = ROOT / "requirements.txt"
# Each hashed lock and the file it is compiled from (`make lock`).
LOCKS = {
    DEV_LOCK: ROOT / "requirements.in",
    ROOT / "backend" / "requirements.txt": ROOT / "backend" / "requirements.in",
    ROOT / "web" / "requirements.txt": ROOT / "web" / "requirements.in",
}
# The python3.13 Lambda runtime provides these; the zip must not carry them.
RUNTIME_PROVIDED = {"boto3", "botocore", "s3transfer", "urllib3", "python-dateutil", "six"}
# Where an update bot must look, by the files that pin dependencies there.
LOCK_FILES = {"requirements.in": "uv", "package-lock.json": "npm", "bun.lock": "bun"}
SHIPPED = ("backend", "infra", "web")
NOQA = re.compile(r"#\s*noqa\b(?P<colon>:?)(?P<codes>(?:[\s,]*[A-Z]+[0-9]+)*)(?P<reason>.*)$")


def _lock_dirs() -> dict[str, set[str]]:
    """Each lock file's directory as Dependabot spells it (`/`, `/backend`), by ecosystem."""
    found: dict[str, set[str]] = {}
    for current, dirs, files in os.walk(ROOT):
        # Installed or generated trees hold other projects' lock files.
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in {"node_modules", "build"}]
        for name in set(files) & set(LOCK_FILES):
            relative = Path(current).relative_to(ROOT).as_posix()
            found.setdefault(LOCK_FILES[name], set()).add(
                "/" if relative == "." else f"/{relative}"
            )
    return found


@pytest.fixture(scope="module")
def dependabot() -> dict[str, Any]:
    """The parsed .github/dependabot.yml."""
    config: dict[str, Any] = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text())
    return config


@pytest.mark.parametrize("lock", list(LOCKS), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_lock_pins_every_requirement_with_its_hashes(lock: Path) -> None:
    header = lock.read_text(encoding="utf-8").splitlines()[:2]
    assert "uv pip compile" in header[1] and "--generate-hashes" in header[1], header
    packages = read_lock(lock)
    assert len(packages) == len(requirement_lines(lock))  # one pinned line per package
    assert [name for name, package in packages.items() if not package.hashes] == []


@pytest.mark.parametrize("lock", list(LOCKS), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_lock_holds_everything_its_source_asks_for(lock: Path) -> None:
    # An edited *.in without `make lock` fails here, not on a teammate's machine.
    wanted = {
        normalize(re.split(r"[\[=<>~!;\s]", line, maxsplit=1)[0])
        for line in requirement_lines(LOCKS[lock])
        if not line.startswith("-")
    }
    assert wanted - set(read_lock(lock)) == set()


@pytest.mark.parametrize("lock", list(LOCKS)[1:], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_shipped_locks_take_the_dev_locks_versions_and_hashes(lock: Path) -> None:
    # What the Lambda and the web app ship is what the test suites ran against.
    dev = read_lock(DEV_LOCK)
    for name, package in read_lock(lock).items():
        assert (package.version, package.hashes) == (dev[name].version, dev[name].hashes), name


def test_lambda_lock_leaves_out_what_the_runtime_provides() -> None:
    backend = read_lock(ROOT / "backend" / "requirements.txt")
    assert set(backend) & RUNTIME_PROVIDED == set()
    assert {"bcrypt", "email-validator", "aws-lambda-powertools"} <= set(backend)


def test_dependabot_updates_every_lock_weekly_in_one_grouped_pull_request(
    dependabot: dict[str, Any],
) -> None:
    assert dependabot["version"] == 2
    covered: dict[str, set[str]] = {}
    for update in dependabot["updates"]:
        dirs = update.get("directories") or [update["directory"]]
        covered.setdefault(update["package-ecosystem"], set()).update(dirs)
        assert update["schedule"]["interval"] == "weekly", update["package-ecosystem"]
        # One group matching every dependency: a week's updates in one pull request.
        assert [g["patterns"] for g in update["groups"].values()] == [["*"]]
        assert update["cooldown"]["default-days"] >= 1
    assert covered == {**_lock_dirs(), "github-actions": {"/"}}


def test_ruff_applies_the_bandit_rules_to_the_shipped_code_in_full() -> None:
    lint = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    assert "S" in lint["select"]
    assert not [code for code in lint["ignore"] if code.startswith("S")]
    for pattern, codes in lint["per-file-ignores"].items():
        if pattern.startswith(SHIPPED):
            assert not [code for code in codes if code.startswith("S")], pattern


def test_every_silenced_security_finding_in_the_shipped_code_says_why() -> None:
    unjustified = []
    for folder in SHIPPED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if ".web" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                match = NOQA.search(line)
                if not match:
                    continue
                codes = match["codes"].replace(",", " ").split()
                blanket = not match["colon"] or not codes  # a bare noqa silences every rule
                reason = re.sub(r"^[\s\-(:—]+", "", match["reason"])
                if blanket or (any(c.startswith("S") for c in codes) and len(reason) < 8):
                    unjustified.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert unjustified == []
