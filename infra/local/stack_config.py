"""Read a stack's CORS origins from its committed `Pulumi.<stage>.yaml`.

The local stage uses the dev stack's origins; deployment CI uses this to pick
the origin the smoke suite's preflight sends:
`python -m infra.local.stack_config Pulumi.prod.yaml` prints the first one.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml  # type: ignore[import-untyped]  # (no stubs pinned; one call, checked below)


def cors_origins(stack_file: Path) -> tuple[str, ...]:
    """Origins under a `<project>:corsOrigins`-like key; empty when the file or key is absent.

    Accepts a YAML list or a comma-separated string, the two ways Pulumi
    config holds a list.
    """
    if not stack_file.is_file():
        return ()
    document = yaml.safe_load(stack_file.read_text(encoding="utf-8")) or {}
    config = document.get("config") or {}
    for key, value in config.items():
        name = str(key).rpartition(":")[2].lower()
        if "cors" in name and "origin" in name:
            items = value if isinstance(value, list) else str(value).split(",")
            return tuple(str(item).strip() for item in items if str(item).strip())
    return ()


if __name__ == "__main__":
    origins = cors_origins(Path(sys.argv[1]))
    print(origins[0] if origins else "")  # noqa: T201 (the output is the point)
