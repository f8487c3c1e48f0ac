"""The smoke suite needs only a base URL: `--base-url`, else API_URL, else a local stage."""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest

from infra.local.cors import LOCAL_WEB_ORIGINS


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--base-url`, `--allowed-origin` and `--web-url` for running against a deployed stage."""
    group = parser.getgroup("smoke", "smoke suite (any stage)")
    group.addoption("--base-url", help="the stage's apiUrl output (default: $API_URL)")
    group.addoption("--web-url", help="the stage's webUrl output (default: $WEB_URL)")
    group.addoption(
        "--allowed-origin",
        help="a browser origin the stage's CORS config allows (default: $SMOKE_ORIGIN,"
        " else the local web UI's origin)",
    )


@pytest.fixture(scope="session")
def base_url(request: pytest.FixtureRequest) -> str:
    """The API under test; starts the local stage only when no URL was given."""
    url = request.config.getoption("--base-url") or os.environ.get("API_URL")
    if not url:
        url = request.getfixturevalue("local_stage").api_url
    return str(url).rstrip("/")


@pytest.fixture(scope="session")
def allowed_origin(request: pytest.FixtureRequest) -> str:
    """An origin the stage must accept in a CORS preflight (skip if it allows none)."""
    origin = request.config.getoption("--allowed-origin")
    if origin is None:
        origin = os.environ.get("SMOKE_ORIGIN")
    if origin is None:
        origin = LOCAL_WEB_ORIGINS[0]
    if not origin:
        pytest.skip("this stage allows no browser origin")
    # A wildcard config (`*`, `https://*`) accepts any concrete origin of that scheme.
    return str(origin).replace("*", "smoke.example") if "://" in origin else "https://smoke.example"


@pytest.fixture(scope="session")
def api(base_url: str) -> Iterator[httpx.Client]:
    """An HTTP client for the stage; a deployed stage may be a cold start away."""
    with httpx.Client(base_url=base_url, timeout=35.0) as client:
        yield client
