"""Which checkout files make the page and the image, and one digest over them.

The digest keys the static export's cache and tags the container image, so a
change to any input (and only that) builds and ships a new one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Final

# What `reflex export` reads: the app, the shared contract it imports, the pinned
# frontend packages.
SITE_SOURCES: Final = (
    "web/rxconfig.py",
    "web/signup_web/**/*",
    "web/reflex.lock/*",
    "contract/**/*",
)
# What web/Dockerfile copies (web/Dockerfile.dockerignore admits only these).
IMAGE_SOURCES: Final = (
    "web/Dockerfile",
    "web/Dockerfile.dockerignore",
    "web/requirements.txt",
    "web/rxconfig.py",
    "web/signup_web/**/*",
    "contract/**/*",
)
_SKIPPED_PARTS: Final = frozenset({"__pycache__", ".web", ".states"})


def source_files(root: Path, patterns: Iterable[str]) -> list[str]:
    """The files under `root` matching `patterns`, as sorted relative POSIX paths."""
    found = {
        path.relative_to(root).as_posix()
        for pattern in patterns
        for path in root.glob(pattern)
        if path.is_file() and path.suffix != ".pyc"
    }
    return sorted(p for p in found if not _SKIPPED_PARTS.intersection(p.split("/")))


def digest(root: Path, patterns: Iterable[str], *extra: str) -> str:
    """SHA-256 over the names and bytes of the matching files, then `extra` settings."""
    hasher = hashlib.sha256()
    for name in source_files(root, patterns):
        hasher.update(name.encode() + b"\0")
        hasher.update((root / name).read_bytes() + b"\0")
    for item in extra:
        hasher.update(item.encode() + b"\0")
    return hasher.hexdigest()
