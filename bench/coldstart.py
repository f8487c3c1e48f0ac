"""Cold start: import time in a fresh interpreter with no bytecode cache, and the Lambda zip."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from bench.stats import median

HANDLER_IMPORT: Final = "import backend.handler"
BASELINE_IMPORT: Final = "import boto3, bcrypt"
# Timed inside the child so interpreter start-up (the same for both) is left out.
_PROBE: Final = (
    "import time\n_t = time.perf_counter()\n{statement}\nprint(time.perf_counter() - _t)"
)


@dataclass(frozen=True)
class ImportTiming:
    """Seconds per run for one import statement."""

    statement: str
    runs: list[float]

    @property
    def median(self) -> float:
        """The median over runs."""
        return median(self.runs)


def _cold_env(cache_dir: str) -> dict[str, str]:
    # An empty PYTHONPYCACHEPREFIX means no .pyc is found anywhere (site-packages'
    # __pycache__ directories are ignored), and DONTWRITEBYTECODE keeps it empty:
    # every module is compiled from source, as in a zip built without bytecode.
    return {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": cache_dir}


def _run_cold(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python *args` in a fresh interpreter with an empty, unwritten bytecode cache."""
    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as cache:
        return subprocess.run(
            [sys.executable, *args],
            cwd=cwd,
            env=_cold_env(cache),
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )


def import_seconds(statement: str, *, cwd: Path) -> float:
    """Seconds `statement` takes in a fresh interpreter with no bytecode cache."""
    done = _run_cold("-c", _PROBE.format(statement=statement), cwd=cwd)
    return float(done.stdout.split()[-1])


def measure_imports(*, cwd: Path, runs: int) -> tuple[ImportTiming, ImportTiming]:
    """The handler's and the baseline's import times, interleaved so drift hits both alike."""
    handler: list[float] = []
    baseline: list[float] = []
    for _ in range(runs):
        handler.append(import_seconds(HANDLER_IMPORT, cwd=cwd))
        baseline.append(import_seconds(BASELINE_IMPORT, cwd=cwd))
    return ImportTiming(HANDLER_IMPORT, handler), ImportTiming(BASELINE_IMPORT, baseline)


def heaviest_imports(
    statement: str, *, cwd: Path, runs: int = 3, top: int = 5
) -> list[tuple[str, float]]:
    """Where `statement`'s import time goes: per top-level package, the median over `runs`, in s.

    A single run on a shared machine can charge a 0.5 s stall to whichever
    module happened to be loading; the median over a few runs does not.
    """
    per_run = [_self_times(statement, cwd=cwd) for _ in range(runs)]
    packages = {name for times in per_run for name in times}
    medians = {name: median([times.get(name, 0.0) for times in per_run]) for name in packages}
    return sorted(medians.items(), key=lambda item: -item[1])[:top]


def _self_times(statement: str, *, cwd: Path) -> dict[str, float]:
    # Self times (not cumulative ones) add up to the whole import without double
    # counting: "botocore 0.2 s" means botocore's own modules, whoever imported them.
    done = _run_cold("-X", "importtime", "-c", statement, cwd=cwd)
    totals: defaultdict[str, float] = defaultdict(float)
    for line in done.stderr.splitlines():
        # "import time: <self us> | <cumulative us> | <indented module name>"
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[0].strip().isdigit():
            totals[parts[2].strip().split(".")[0]] += int(parts[0]) / 1_000_000
    return dict(totals)


@dataclass(frozen=True)
class ArtifactSummary:
    """The Lambda zip's size and its largest members, or why it could not be built."""

    size: int = 0
    members: list[tuple[str, int]] = field(default_factory=list)
    packages: list[tuple[str, int]] = field(default_factory=list)
    unavailable: str = ""


def summarize_zip(path: Path, *, top: int = 5) -> ArtifactSummary:
    """Size on disk, the `top` largest members and top-level packages by compressed size."""
    with zipfile.ZipFile(path) as archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
    members = sorted(((i.filename, i.compress_size) for i in infos), key=lambda m: -m[1])
    packages: Counter[str] = Counter()
    for info in infos:
        top_level = info.filename.split("/")[0]
        # Fold "bcrypt-5.0.0.dist-info" into "bcrypt": one line per dependency.
        packages[top_level.split("-")[0] if top_level.endswith(".dist-info") else top_level] += (
            info.compress_size
        )
    return ArtifactSummary(
        size=path.stat().st_size, members=members[:top], packages=packages.most_common(top)
    )


def build_and_summarize(root: Path, *, architecture: str = "arm64") -> ArtifactSummary:
    """Build the zip with infra's own builder (in a temp dir) and summarize it.

    Degrades to an "unavailable" summary when the builder is not on this branch
    or cannot reach PyPI for the wheels, so the rest of the report still prints.
    """
    try:
        from infra.build.lambda_zip import build_artifact
    except ImportError as exc:
        return ArtifactSummary(unavailable=f"infra.build.lambda_zip not available ({exc.name})")
    with tempfile.TemporaryDirectory(prefix="bench-artifact-") as out:
        try:
            artifact = build_artifact(
                source_root=root,
                architecture=architecture,
                out_dir=Path(out),
                # Shared with `pulumi up` builds, so wheels are downloaded once.
                cache_dir=root / "build" / "lambda" / "deps",
            )
        except (subprocess.CalledProcessError, OSError) as exc:
            return ArtifactSummary(unavailable=f"build failed: {type(exc).__name__}: {exc}")
        return summarize_zip(artifact.path)
