"""The Lambda zip's bill of materials: CycloneDX JSON built from pip's installation report."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path, PurePosixPath
from typing import Any, Final
from urllib.parse import quote, urlsplit

_SPEC_VERSION: Final = "1.6"


def write_sbom(target: Path, *, pip_report: Path, artifact: Path) -> None:
    """Write `target`: the zip's SHA-256 and, per bundled package, its version and wheel SHA-256.

    The wheel hashes come from pip's report of what it installed (each one was
    checked against `backend/requirements.txt`), not from the lock's list of
    every file of a release. Nothing varies per build (no timestamp or random
    serial number), so an unchanged zip keeps a byte-identical SBOM.
    """
    report = json.loads(pip_report.read_text(encoding="utf-8"))
    components = sorted((_component(item) for item in report["install"]), key=lambda c: c["name"])
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": _SPEC_VERSION,
        "version": 1,
        "metadata": {"component": _zip_component(artifact)},
        "components": components,
        "dependencies": [
            {"ref": artifact.name, "dependsOn": [c["bom-ref"] for c in components]},
            *({"ref": c["bom-ref"]} for c in components),
        ],
    }
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    partial.write_text(json.dumps(bom, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, target)


def _zip_component(artifact: Path) -> dict[str, Any]:
    digest = hashlib.sha256(artifact.read_bytes()).hexdigest()
    return {
        "type": "file",
        "bom-ref": artifact.name,
        "name": artifact.name,
        "hashes": [{"alg": "SHA-256", "content": digest}],
    }


def _component(item: dict[str, Any]) -> dict[str, Any]:
    metadata, download = item["metadata"], item["download_info"]
    # PEP 503 name, as in the purl spec and the lock: `aws-lambda-powertools`.
    name = re.sub(r"[-_.]+", "-", metadata["name"]).lower()
    version = metadata["version"]
    # Only the wheel's file name: its URL may be a mirror's or a local path.
    wheel = PurePosixPath(urlsplit(download["url"]).path).name
    ref = f"pkg:pypi/{name}@{version}"
    return {
        "type": "library",
        "bom-ref": ref,
        "name": name,
        "version": version,
        "purl": f"{ref}?file_name={quote(wheel, safe='')}",
        "hashes": [{"alg": "SHA-256", "content": download["archive_info"]["hashes"]["sha256"]}],
    }
