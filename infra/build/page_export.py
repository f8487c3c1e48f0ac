"""The page's static half: Reflex's frontend export, built during `pulumi up` and cached.

`build_site` runs `reflex export --frontend-only` exactly as a deployment
needs it and keeps the result under build/web/, keyed by a digest of its
inputs, so three mock deployments and the local proof share one build and an
unchanged page is never rebuilt (or re-uploaded: the files are the same).

What is baked in: Reflex's backend address is SAME_ORIGIN_API_URL, which the
page resolves to its own origin at run time, so one export serves the stage's
CloudFront domain and its custom domain alike; the stage's password
minimum, because the form's hint text is rendered at compile time; and the
stage's wording (`web.productName`, `web.nextStepUrl`, `web.nextStepLabel`),
compiled into the pages the same way. Nothing else from the shell of whoever
runs `pulumi up` reaches the build.
"""

from __future__ import annotations

import fcntl
import mimetypes
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Final

from contract.environment import (
    API_URL,
    NEXT_STEP_LABEL,
    NEXT_STEP_URL,
    PASSWORD_MIN_LENGTH,
    PRODUCT_NAME,
)
from infra.build.page_sources import SITE_SOURCES, digest
from infra.build.reflex import DEFAULT_BUN
from signup_web.hosting import (
    BACKEND_PATH,
    SAME_ORIGIN_API_URL,
    reflex_environment,
    without_reflex_settings,
)

# The web app's settings compiled into the pages; only the stage's own values go in.
PAGE_SETTINGS: Final = frozenset(
    {PASSWORD_MIN_LENGTH, PRODUCT_NAME, NEXT_STEP_URL, NEXT_STEP_LABEL}
)

# The distribution's root object and the page it shows (with a 404) for any
# key the private bucket refuses; the local proof's proxy does the same.
ROOT_OBJECT: Final = "index.html"
NOT_FOUND_PAGE: Final = "/404.html"
# Vite names everything under assets/ by content hash, so those files never
# change in place; everything else (the HTML) must be revalidated on deploy.
IMMUTABLE: Final = "public, max-age=31536000, immutable"
REVALIDATE: Final = "no-cache"
# Reflex also writes .gz copies for servers that do not compress; CloudFront
# compresses by itself, so they are not uploaded.
_SKIPPED_SUFFIXES: Final = frozenset({".gz"})
_EXPORT_TIMEOUT: Final = 600.0
# Python's own table only: the system's mime.types differs between machines,
# and the headers must not depend on who ran `pulumi up`.
_TYPES: Final = mimetypes.MimeTypes()


class SiteBuildError(RuntimeError):
    """`reflex export` failed; the message ends with its log."""


@dataclass(frozen=True)
class SiteFile:
    """One object of the bucket: its key, the local file, and the headers S3 serves with it."""

    key: str
    path: Path
    content_type: str
    cache_control: str


@dataclass(frozen=True)
class StaticSite:
    """An exported page: the directory a static file server (or the bucket) serves."""

    root: Path
    files: tuple[SiteFile, ...]


def build_site(
    *,
    source_root: Path,
    password_min_length: int,
    wording: Mapping[str, str] | None = None,
    bun: Path = DEFAULT_BUN,
    cache_dir: Path | None = None,
) -> StaticSite:
    """The static export for this source, password minimum and wording, built only if not cached.

    `wording` is the stage's page settings by variable (WebConfig.page_settings).
    """
    cache = cache_dir or source_root / "build" / "web"
    settings = {**(wording or {}), PASSWORD_MIN_LENGTH: str(password_min_length)}
    unknown = set(settings) - PAGE_SETTINGS
    if unknown:
        raise ValueError(f"not a page setting: {sorted(unknown)}")
    key = digest(
        source_root,
        SITE_SOURCES,
        f"reflex=={version('reflex')}",
        f"api_url={SAME_ORIGIN_API_URL}",
        f"backend_path={BACKEND_PATH}",
        *(f"{name}={value}" for name, value in sorted(settings.items())),
    )[:16]
    target = cache / f"site-{key}"
    if not target.is_dir():
        with _exclusive(cache):
            # Another process (a parallel mock deployment) may have built it meanwhile.
            if not target.is_dir():
                _export(source_root, cache, target, settings, bun)
    return StaticSite(root=target, files=tuple(_listing(target)))


def export_environment(
    settings: Mapping[str, str], workdir: Path, bun: Path, base: Mapping[str, str]
) -> dict[str, str]:
    """The export's environment: the developer's shell cannot leak a setting into the build."""
    clean = without_reflex_settings(base, API_URL, *PAGE_SETTINGS)
    return {
        **clean,
        **settings,
        **reflex_environment(bun=bun, api_url=SAME_ORIGIN_API_URL, workdir=str(workdir)),
    }


def _export(
    source_root: Path, cache: Path, target: Path, settings: Mapping[str, str], bun: Path
) -> None:
    # One work directory for every build keeps node_modules between builds.
    workdir = (cache / "work" / ".web").resolve()
    log = cache / "export.log"
    command = [sys.executable, "-m", "reflex", "export", "--frontend-only", "--no-zip"]
    command += ["--env", "prod"]
    env = export_environment(settings, workdir, bun, os.environ)
    with log.open("wb") as out:
        result = subprocess.run(  # noqa: S603 - fixed argv
            command,
            cwd=source_root / "web",
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=_EXPORT_TIMEOUT,
            check=False,
        )
    if result.returncode != 0:
        tail = log.read_text("utf-8", "replace")[-3000:]
        raise SiteBuildError(f"reflex export failed ({result.returncode}):\n{tail}")
    partial = Path(tempfile.mkdtemp(dir=cache, prefix=".partial-"))
    try:
        shutil.copytree(
            workdir / "build" / "client",
            partial,
            dirs_exist_ok=True,
            ignore=lambda _, names: [n for n in names if Path(n).suffix in _SKIPPED_SUFFIXES],
        )
        os.replace(partial, target)
    finally:
        shutil.rmtree(partial, ignore_errors=True)


def _listing(root: Path) -> Iterator[SiteFile]:
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        key = path.relative_to(root).as_posix()
        yield SiteFile(
            key=key,
            path=path,
            content_type=content_type(path),
            cache_control=IMMUTABLE if key.startswith("assets/") else REVALIDATE,
        )


def content_type(path: Path) -> str:
    """The Content-Type S3 serves the file with (charset for text, as browsers expect)."""
    guessed, _ = _TYPES.guess_type(path.name)
    kind = guessed or "application/octet-stream"
    text = kind.startswith("text/") or kind in {"application/json", "image/svg+xml"}
    return f"{kind}; charset=utf-8" if text else kind


@contextmanager
def _exclusive(cache: Path) -> Iterator[None]:
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
