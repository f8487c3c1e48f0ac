"""The Lambda zip: `backend/`, `contract/` and their wheels for the function's CPU, reproducibly."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from infra.build.sbom import write_sbom

# AL2023 (the python3.13 runtime) has glibc 2.34, so any manylinux tag up to
# 2_34 runs there; listing them lets pip pick a wheel whichever tag it carries.
_MANYLINUX: Final = ("manylinux2014", "manylinux_2_28", "manylinux_2_34")
_MACHINE: Final = {"arm64": "aarch64", "x86_64": "x86_64"}
# Fixed metadata for every entry: timestamps and modes from the build machine
# would change the zip's hash and make `pulumi up` redeploy unchanged code.
_EPOCH: Final = (1980, 1, 1, 0, 0, 0)
_FILE_MODE: Final = 0o100644 << 16
# Installer bookkeeping that differs between machines (RECORD lists the
# console scripts, whose shebangs name the build machine's interpreter).
_INSTALLER_FILES: Final = frozenset({"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"})
# pip's console scripts land in the target's top-level bin/; Lambda never runs them.
_SKIPPED_TOP: Final = frozenset({"bin"})
# Powertools ships Swagger UI's browser assets (about a fifth of the zip) for
# its REST resolver's docs page; this handler never serves it. The package's
# .py modules stay, so any import still works.
_UNUSED_ASSETS: Final = ("aws_lambda_powertools/event_handler/openapi/swagger_ui/",)
_ASSET_SUFFIXES: Final = frozenset({".js", ".css"})
# The lock and its source are build inputs, not runtime code.
# What the function runs: the Lambda package and the contract it shares with the page.
_PACKAGES: Final = ("backend", "contract")
_BUILD_INPUTS: Final = ("backend/requirements.in", "backend/requirements.txt")
# pip's record of what it installed (each wheel's name and SHA-256), kept in the
# cached directory for the SBOM; the leading dot keeps it out of the zip.
_PIP_REPORT: Final = ".pip-report.json"
# Part of the cache key: bump it when the cached directory's layout changes.
_CACHE_LAYOUT: Final = "2"


# A CalledProcessError, so callers that already treat a failed pip run as a
# failed build (the benchmarks) keep doing so; only the message is clearer.
class DependencyInstallError(subprocess.CalledProcessError):
    """pip refused the Lambda's lock: a hash that does not match, a missing hash or pin."""

    def __str__(self) -> str:
        return f"pip refused to install the Lambda's dependencies:\n{self.stderr}"


@dataclass(frozen=True)
class LambdaArtifact:
    """A built zip, the base64 SHA-256 Lambda compares to decide whether code changed, its SBOM."""

    path: Path
    source_code_hash: str
    size: int
    # CycloneDX JSON beside the zip: every bundled package, its version and wheel SHA-256.
    sbom: Path


def build_artifact(
    *,
    source_root: Path,
    architecture: str,
    python_version: str = "3.13",
    out_dir: Path | None = None,
    cache_dir: Path | None = None,
) -> LambdaArtifact:
    """Zip the packages and their hash-checked requirements for `architecture`, with an SBOM.

    Raises DependencyInstallError when pip refuses the lock (e.g. a wheel whose
    SHA-256 is not in `backend/requirements.txt`); nothing is written then.
    """
    backend = source_root / "backend"
    requirements = backend / "requirements.txt"
    out = out_dir or source_root / "build" / "lambda"
    cache = cache_dir or source_root / "build" / "lambda" / "deps"
    deps = _install_dependencies(requirements, architecture, python_version, cache)
    files = {
        **_tree(deps, skip_top=_SKIPPED_TOP),
        **{
            name: path
            for package in _PACKAGES
            for name, path in _tree(source_root / package, prefix=f"{package}/").items()
        },
    }
    for name in [n for n in files if n.startswith(_UNUSED_ASSETS)]:
        if Path(name).suffix in _ASSET_SUFFIXES:
            del files[name]
    for name in _BUILD_INPUTS:
        files.pop(name, None)
    target = out / f"signup-{architecture}.zip"
    _write_zip(target, files)
    sbom = out / f"signup-{architecture}.cdx.json"
    write_sbom(sbom, pip_report=deps / _PIP_REPORT, artifact=target)
    data = target.read_bytes()
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    return LambdaArtifact(path=target, source_code_hash=digest, size=len(data), sbom=sbom)


def _install_dependencies(
    requirements: Path, architecture: str, python_version: str, cache: Path
) -> Path:
    platforms = [f"{tag}_{_MACHINE[architecture]}" for tag in _MANYLINUX]
    key_material = "\n".join([requirements.read_text(), *platforms, python_version, _CACHE_LAYOUT])
    key = hashlib.sha256(key_material.encode()).hexdigest()[:16]
    target = cache / f"{architecture}-py{python_version}-{key}"
    if target.is_dir():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    # Install beside the cache and rename, so an interrupted download never
    # leaves a half-filled directory that later builds would trust.
    staging = Path(tempfile.mkdtemp(dir=cache, prefix=".partial-"))
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    command += [f"--platform={platform}" for platform in platforms]
    command += ["--only-binary=:all:", "--implementation=cp", f"--python-version={python_version}"]
    # --require-hashes: every wheel must match a SHA-256 in the lock, and a lock
    # that lost its hashes is refused instead of installed unchecked. pip's
    # download cache stays on: a cached wheel is hash-checked all the same.
    command += ["--require-hashes", "--report", str(staging / _PIP_REPORT)]
    command += ["--no-compile", "--target", str(staging), "-r", str(requirements)]
    try:
        # stderr is captured for the error message and passed on when pip succeeds.
        result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - fixed argv, no shell
        if result.returncode != 0:
            raise DependencyInstallError(result.returncode, command, result.stdout, result.stderr)
        sys.stderr.write(result.stderr)
        os.replace(staging, target)
    except OSError:
        # Another build finished the same key first; its copy is as good as ours.
        if not target.is_dir():
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _tree(root: Path, prefix: str = "", skip_top: frozenset[str] = frozenset()) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        skipped = relative.parts[0] in skip_top or any(
            part == "__pycache__" or part.startswith(".") for part in relative.parts
        )
        installer = relative.parent.name.endswith(".dist-info") and path.name in _INSTALLER_FILES
        if path.is_file() and not skipped and not installer and path.suffix != ".pyc":
            files[prefix + relative.as_posix()] = path
    return files


def _write_zip(target: Path, files: dict[str, Path]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    with zipfile.ZipFile(partial, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.external_attr = _FILE_MODE
            info.create_system = 3  # Unix, so the mode bits above are honoured
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name].read_bytes(), compresslevel=9)
    # Atomic, so parallel builds (one per stack in the tests) never read a torn zip.
    os.replace(partial, target)
