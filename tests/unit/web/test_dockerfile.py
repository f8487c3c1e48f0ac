"""web/Dockerfile read as text: no engine here, so what can be checked without one is checked."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Final

from infra.build.page_sources import IMAGE_SOURCES, source_files
from signup_web.hosting import BACKEND_ARGS, BACKEND_PORT, reflex_environment
from tests.support.hosted_page import backend_command
from tests.support.locks import read_lock

ROOT: Final = Path(__file__).resolve().parents[3]
DOCKERFILE: Final = (ROOT / "web" / "Dockerfile").read_text()
IGNORE: Final = (ROOT / "web" / "Dockerfile.dockerignore").read_text()
_SECRET_WORDS: Final = re.compile(r"(?i)(secret|password|pepper|token|key)=")


def _instructions(keyword: str) -> list[str]:
    """The arguments of every `keyword` instruction, continuation lines joined."""
    text = DOCKERFILE.replace("\\\n", " ")
    pattern = re.compile(rf"^{keyword}\s+(.*)$", re.MULTILINE)
    return [" ".join(match.group(1).split()) for match in pattern.finditer(text)]


def test_image_runs_the_command_the_local_proof_runs() -> None:
    (cmd,) = _instructions("CMD")
    command = json.loads(cmd)
    assert command == ["python", *BACKEND_ARGS]
    assert backend_command()[1:] == command[1:]
    assert _instructions("EXPOSE") == [str(BACKEND_PORT)]


def test_image_runs_as_a_user_without_privileges() -> None:
    users = _instructions("USER")
    assert users and users[-1] not in {"root", "0", "0:0"}
    assert users[-1].split(":")[0].isdigit()  # numeric: no passwd lookup needed


def test_base_images_are_pinned_to_an_exact_release() -> None:
    images = [line.split()[-3 if " AS " in line else -1] for line in _instructions("FROM")]
    assert images and all(
        re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", i) for i in images
    )


def test_dependencies_are_fetched_for_the_target_platform_without_emulation() -> None:
    first, final = _instructions("FROM")
    assert first.startswith("--platform=$BUILDPLATFORM")
    assert "--platform" not in final  # the image's own platform is the build's (linux/arm64)
    assert "--only-binary=:all:" in DOCKERFILE
    assert "-r /tmp/requirements.txt" in DOCKERFILE


def test_image_holds_no_secret() -> None:
    for env in _instructions("ENV") + _instructions("ARG"):
        assert not _SECRET_WORDS.search(env), env
    instructions = "\n".join(ln for ln in DOCKERFILE.splitlines() if not ln.startswith("#"))
    # No build secret mounted, and the runtime secret's name appears nowhere.
    assert "--mount=type=secret" not in instructions
    assert "CLIENT_ADDRESS_SECRET" not in instructions


def test_build_context_sends_only_what_the_image_copies() -> None:
    lines = [ln for ln in IGNORE.splitlines() if ln and not ln.startswith("#")]
    assert lines[0] == "*"
    admitted = {ln.removeprefix("!").rstrip("/") for ln in lines if ln.startswith("!")}
    copied = {arg.split()[0] for arg in _instructions("COPY") if not arg.startswith("--from")}
    assert copied == admitted
    # The image's tag is a digest of exactly these (and the Dockerfile itself).
    tagged = set(source_files(ROOT, IMAGE_SOURCES))
    assert {"web/Dockerfile", "web/rxconfig.py", "web/requirements.txt"} <= tagged
    assert all(
        any(f == c or f.startswith(f"{c}/") for c in copied) or f.startswith("web/Dockerfile")
        for f in tagged
    )


def test_image_requirements_are_the_development_pins() -> None:
    # web/requirements.txt is the hashed lock `make lock` compiles, so pip in
    # the image checks every wheel's SHA-256 as the development install does.
    image, development = (
        read_lock(ROOT / "web/requirements.txt"),
        read_lock(ROOT / "requirements.txt"),
    )
    assert {"reflex", "email-validator", "zxcvbn"} <= set(image)
    assert all(package.hashes for package in image.values())
    assert all(development[name].version == p.version for name, p in image.items())


def test_image_sets_reflex_as_the_pages_writer_does() -> None:
    """The image's Reflex variables are what `reflex_environment` writes for a container."""
    (env,) = _instructions("ENV")
    pairs = dict(item.split("=", 1) for item in env.split())
    reflex = {name: value for name, value in pairs.items() if name.startswith("REFLEX_")}
    expected = reflex_environment(
        backend_host="0.0.0.0",  # noqa: S104 - the container's own interface
        backend_port=BACKEND_PORT,
        workdir="/tmp/.web",
    )
    assert reflex == expected
