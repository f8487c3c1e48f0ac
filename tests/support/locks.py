"""The hashed lock files read as pip reads them: one pinned requirement per package, its hashes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(?P<version>[^\s;]+)")
_HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})\b")


@dataclass(frozen=True)
class LockedPackage:
    """One `name==version` line of a lock with the SHA-256 of every file pip may accept."""

    name: str
    version: str
    hashes: frozenset[str]


def normalize(name: str) -> str:
    """The PEP 503 form of a name: `aws_lambda_powertools` is `aws-lambda-powertools`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_lines(path: Path) -> list[str]:
    """The lock's requirement lines, continuations joined and comments dropped."""
    joined = path.read_text(encoding="utf-8").replace("\\\n", " ")
    lines = (line.split(" #", 1)[0].strip() for line in joined.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def read_lock(path: Path) -> dict[str, LockedPackage]:
    """Every pinned package of the lock at `path`, by normalized name."""
    packages = {}
    for line in requirement_lines(path):
        match = _PIN.match(line)
        assert match, f"{path.name}: not a pinned requirement: {line[:80]}"
        name = normalize(match["name"])
        packages[name] = LockedPackage(name, match["version"], frozenset(_HASH.findall(line)))
    return packages
