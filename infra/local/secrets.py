"""The local stage's secrets (the pepper, the web server's secret): generated once, kept in the
data directory, readable only by you."""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

PEPPER_FILE = "pepper"
CLIENT_ADDRESS_SECRET_FILE = "client-address-secret"  # noqa: S105 - a file's name
_MODE = 0o600


def load_or_create_pepper(data_dir: Path) -> str:
    """The pepper; it must survive restarts: every stored hash depends on it."""
    return load_or_create_secret(data_dir, PEPPER_FILE)


def load_or_create_secret(data_dir: Path, name: str) -> str:
    """Return the secret stored in `data_dir/name`, creating it (mode 0600) on first use."""
    path = data_dir / name
    try:
        # O_EXCL: two runners starting at once cannot both write a pepper.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _MODE)
    except FileExistsError:
        return _read_private(path)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(secrets.token_urlsafe(32) + "\n")
    return _read_private(path)


def _read_private(path: Path) -> str:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        # A secret others can read is no longer secret; tighten rather than fail,
        # since the usual cause is a copy or an unpack with a loose umask.
        path.chmod(_MODE)
    pepper = path.read_text(encoding="ascii").strip()
    if not pepper:
        raise ValueError(f"{path} is empty; delete it to generate a new one")
    return pepper
