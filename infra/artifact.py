"""The Lambda zip: `backend/` plus its wheels for the function's CPU, byte-for-byte reproducible."""

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
_BUILD_INPUTS: Final = ("backend/requirements.in", "backend/requirements.txt")


@dataclass(frozen=True)
class LambdaArtifact:
    """A built zip and the base64 SHA-256 Lambda compares to decide whether code changed."""

    path: Path
    source_code_hash: str
    size: int


def build_artifact(
    *,
    source_root: Path,
    architecture: str,
    python_version: str = "3.13",
    out_dir: Path | None = None,
    cache_dir: Path | None = None,
) -> LambdaArtifact:
    """Zip `backend/` with its requirements installed for `architecture`; reuse cached wheels."""
    backend = source_root / "backend"
    requirements = backend / "requirements.txt"
    out = out_dir or source_root / "build" / "lambda"
    cache = cache_dir or source_root / "build" / "lambda" / "deps"
    deps = _install_dependencies(requirements, architecture, python_version, cache)
    files = {**_tree(deps, skip_top=_SKIPPED_TOP), **_tree(backend, prefix="backend/")}
    for name in [n for n in files if n.startswith(_UNUSED_ASSETS)]:
        if Path(name).suffix in _ASSET_SUFFIXES:
            del files[name]
    for name in _BUILD_INPUTS:
        files.pop(name, None)
    target = out / f"signup-{architecture}.zip"
    _write_zip(target, files)
    data = target.read_bytes()
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    return LambdaArtifact(path=target, source_code_hash=digest, size=len(data))


def _install_dependencies(
    requirements: Path, architecture: str, python_version: str, cache: Path
) -> Path:
    platforms = [f"{tag}_{_MACHINE[architecture]}" for tag in _MANYLINUX]
    key_material = "\n".join([requirements.read_text(), *platforms, python_version])
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
    command += ["--no-compile", "--target", str(staging), "-r", str(requirements)]
    try:
        subprocess.run(command, check=True)  # noqa: S603 - fixed argv, no shell
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
