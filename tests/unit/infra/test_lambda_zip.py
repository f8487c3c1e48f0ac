"""The Lambda zip: hash-checked aarch64 wheels, importable pure-Python parts, reproducible bytes,
and an SBOM beside it."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path
from typing import Any

import pytest

from infra.build.lambda_zip import DependencyInstallError, LambdaArtifact, build_artifact
from tests.plugins.deployments import ROOT
from tests.support.locks import read_lock

BACKEND_LOCK = ROOT / "backend" / "requirements.txt"

EM_AARCH64 = 183
# What the python3.13 Lambda runtime provides (so the zip must not carry it).
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "dateutil", "six.py", "urllib3")
# Imports every backend module from the unzipped tree alone (-S: no site-packages).
# bcrypt's compiled core is aarch64 and cannot load here, so a stub stands in
# for that one module; everything else is the zip's own code.
IMPORT_CHECK = """
import importlib, pathlib, sys, types
tree = pathlib.Path(sys.argv[1])
stub = types.ModuleType("bcrypt._bcrypt")
stub.__getattr__ = lambda name: (lambda *a, **k: None) if not name.startswith("__") else name
sys.modules["bcrypt._bcrypt"] = stub
for path in sorted((tree / "backend").rglob("*.py")):
    name = ".".join(path.relative_to(tree).with_suffix("").parts).removesuffix(".__init__")
    module = importlib.import_module(name)
    assert pathlib.Path(module.__file__).is_relative_to(tree), module.__file__
import bcrypt, email_validator, aws_lambda_powertools
for module in (bcrypt, email_validator, aws_lambda_powertools):
    assert pathlib.Path(module.__file__).is_relative_to(tree), module.__file__
assert callable(sys.modules["backend.handler"].handler)
"""


def _names(artifact: LambdaArtifact) -> list[str]:
    with zipfile.ZipFile(artifact.path) as archive:
        return archive.namelist()


def test_zip_holds_backend_and_its_dependencies_only(artifact: LambdaArtifact) -> None:
    names = _names(artifact)
    backend = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "backend").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    # Data files too (the common-password list): everything but the build inputs.
    assert backend - set(names) == {"backend/requirements.in", "backend/requirements.txt"}
    assert "backend/handler.py" in names
    assert "bcrypt/__init__.py" in names and "email_validator/__init__.py" in names
    for name in names:
        top = name.split("/")[0]
        assert top not in {"tests", "infra", "web", "bin", "boto3", "botocore"}, name
        assert "__pycache__" not in name and not name.endswith(".pyc"), name
        assert not name.endswith(".dist-info/RECORD"), name
        assert not name.endswith(("swagger-ui-bundle.min.js", "swagger-ui.min.css")), name


def test_zip_entries_are_sorted_with_fixed_times_and_modes(artifact: LambdaArtifact) -> None:
    with zipfile.ZipFile(artifact.path) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}


def test_bcrypt_shared_object_is_an_aarch64_elf(artifact: LambdaArtifact) -> None:
    with zipfile.ZipFile(artifact.path) as archive:
        objects = [n for n in archive.namelist() if n.endswith(".so")]
        assert [n for n in objects if n.startswith("bcrypt/")], objects
        for name in objects:
            header = archive.read(name)[:20]
            assert header[:4] == b"\x7fELF", name
            assert header[4] == 2, name  # 64-bit
            assert int.from_bytes(header[18:20], "little") == EM_AARCH64, name


def test_backend_imports_from_the_unzipped_tree(artifact: LambdaArtifact, tmp_path: Path) -> None:
    tree = tmp_path / "task"
    with zipfile.ZipFile(artifact.path) as archive:
        archive.extractall(tree)
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    site = Path(sysconfig.get_paths()["purelib"])
    for name in RUNTIME_PROVIDED:
        (runtime / name).symlink_to(site / name)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": f"{tree}{os.pathsep}{runtime}",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    command = [sys.executable, "-S", "-c", IMPORT_CHECK, str(tree)]
    result = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_two_builds_are_byte_identical(
    artifact: LambdaArtifact, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A fresh wheel cache, as on a teammate's machine: nothing from the first
    # install (times, installer records, script shebangs) may leak into the zip.
    again = build_artifact(
        source_root=ROOT,
        architecture="arm64",
        out_dir=tmp_path / "out",
        cache_dir=tmp_path / "cache",
    )
    assert again.path.read_bytes() == artifact.path.read_bytes()
    assert again.source_code_hash == artifact.source_code_hash
    # The SBOM too: no timestamp or serial number, so `pulumi up` sees no churn.
    assert again.sbom.read_bytes() == artifact.sbom.read_bytes()
    with capsys.disabled():
        print(f"\nLambda zip (arm64): {artifact.size:,} bytes, sha256 {artifact.source_code_hash}")


def _sbom(artifact: LambdaArtifact) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(artifact.sbom.read_text(encoding="utf-8"))
    return document


def test_sbom_lists_bcrypt_at_the_version_the_lock_pins(artifact: LambdaArtifact) -> None:
    assert artifact.sbom == artifact.path.with_name("signup-arm64.cdx.json")
    locked = read_lock(BACKEND_LOCK)["bcrypt"]
    bcrypt = [c for c in _sbom(artifact)["components"] if c["name"] == "bcrypt"]
    assert len(bcrypt) == 1
    assert bcrypt[0]["version"] == locked.version
    assert bcrypt[0]["purl"].startswith(f"pkg:pypi/bcrypt@{locked.version}?file_name=bcrypt-")
    assert "aarch64" in bcrypt[0]["purl"]  # the wheel actually bundled, not any of the lock's
    assert bcrypt[0]["hashes"] == [{"alg": "SHA-256", "content": bcrypt[0]["hashes"][0]["content"]}]
    assert bcrypt[0]["hashes"][0]["content"] in locked.hashes


def test_sbom_lists_exactly_the_locked_packages_and_the_zips_hash(
    artifact: LambdaArtifact,
) -> None:
    sbom = _sbom(artifact)
    assert (sbom["bomFormat"], sbom["specVersion"]) == ("CycloneDX", "1.6")
    assert "serialNumber" not in sbom and "timestamp" not in sbom["metadata"]
    listed = {c["name"]: c["version"] for c in sbom["components"]}
    assert listed == {p.name: p.version for p in read_lock(BACKEND_LOCK).values()}
    assert "boto3" not in listed and "botocore" not in listed
    zip_digest = hashlib.sha256(artifact.path.read_bytes()).hexdigest()
    assert sbom["metadata"]["component"]["hashes"] == [{"alg": "SHA-256", "content": zip_digest}]


def _source_root_with_lock(root: Path, lock: str) -> Path:
    (root / "backend").mkdir(parents=True)
    (root / "backend" / "__init__.py").write_text("")
    (root / "backend" / "requirements.txt").write_text(lock)
    return root


def test_build_refuses_a_wheel_whose_hash_is_not_in_the_lock(tmp_path: Path) -> None:
    # The real pin with a hash no file has: pip downloads (or takes from its
    # cache) the genuine wheel, computes its SHA-256 and must refuse it.
    version = read_lock(BACKEND_LOCK)["bcrypt"].version
    lock = f"bcrypt=={version} --hash=sha256:{'0' * 64}\n"
    root = _source_root_with_lock(tmp_path / "src", lock)
    with pytest.raises(DependencyInstallError, match="DO NOT MATCH THE HASHES") as refused:
        build_artifact(
            source_root=root,
            architecture="arm64",
            out_dir=tmp_path / "out",
            cache_dir=tmp_path / "c",
        )
    assert f"bcrypt=={version}" in str(refused.value)
    assert not (tmp_path / "out").exists()  # no zip, no SBOM
    assert [p.name for p in (tmp_path / "c").iterdir()] == []  # and nothing cached to trust later


def test_build_refuses_a_lock_without_hashes(tmp_path: Path) -> None:
    version = read_lock(BACKEND_LOCK)["bcrypt"].version
    root = _source_root_with_lock(tmp_path / "src", f"bcrypt=={version}\n")
    with pytest.raises(DependencyInstallError, match="Hashes are required"):
        build_artifact(
            source_root=root,
            architecture="arm64",
            out_dir=tmp_path / "out",
            cache_dir=tmp_path / "c",
        )
