"""How this checkout runs Reflex: where the web app lives, the bun `make` installs, the
environment every Reflex command gets (the local web UI, and the export `pulumi up` runs)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from contract.environment import API_URL
from signup_web.hosting import reflex_environment

_REPO_ROOT: Final = Path(__file__).resolve().parents[2]
WEB_DIR: Final = _REPO_ROOT / "web"
# Where make installs the pinned bun (Reflex's JS runtime): see the Makefile.
DEFAULT_BUN: Final = _REPO_ROOT / ".tools/bun/node_modules/@oven/bun-linux-x64/bin/bun"


class WebAppError(RuntimeError):
    """The web UI is missing its toolchain, did not start, or exited."""


def web_environment(
    api_url: str, bun: Path, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The child's environment: which API to call, which bun to use, nothing phoned home."""
    if not bun.is_file():
        raise WebAppError(f"bun is not installed at {bun}; `make dev` or `make web` installs it")
    return {
        **(os.environ if base is None else base),
        API_URL: api_url,
        **reflex_environment(bun=bun),
    }
