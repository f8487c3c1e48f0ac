"""The page-path CloudFront Function: run with bun, held equal to its Python twin and the export."""

from __future__ import annotations

import json
import subprocess

import pytest

from infra.build.page_export import StaticSite
from infra.build.reflex import DEFAULT_BUN
from infra.components.page.page_paths import function_code, object_key

PATHS = (
    "/",
    "/verify",
    "/verify/",
    "/reset",
    "/reset/",
    "/no-such-page",
    "/assets/app-0123abcd.js",
    "/favicon.ico",
    "/404.html",
    "/a.b/c",
    "/deep/page",
)


def _run_function(uris: list[str]) -> list[str]:
    """CloudFront's viewer-request handler over each URI, as bun runs page_paths.js."""
    if not DEFAULT_BUN.exists():
        pytest.fail(f"{DEFAULT_BUN} is missing: `make setup` links .tools with bun")
    script = (
        function_code()
        + "\nconst uris = JSON.parse(process.env.URIS);"
        + "\nconsole.log(JSON.stringify(uris.map("
        + "(uri) => handler({request: {uri: uri, querystring: {token: {value: 'x'}}}}))));"
    )
    result = subprocess.run(
        [str(DEFAULT_BUN), "-e", script],
        env={"URIS": json.dumps(uris)},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    requests = json.loads(result.stdout)
    # The query string is the viewer's, untouched (the token rides in it).
    assert all(r["querystring"] == {"token": {"value": "x"}} for r in requests)
    return [str(r["uri"]) for r in requests]


def test_page_paths_function_and_its_python_twin_agree() -> None:
    keys = _run_function(list(PATHS))
    assert ["/" + object_key(path) for path in PATHS] == keys
    assert (
        dict(zip(PATHS, keys, strict=True)).items()
        >= {
            "/": "/index.html",
            "/verify": "/verify/index.html",
            "/verify/": "/verify/index.html",
            "/reset": "/reset/index.html",
            "/reset/": "/reset/index.html",
            "/assets/app-0123abcd.js": "/assets/app-0123abcd.js",
        }.items()
    )


def test_every_page_of_the_export_answers_at_its_path(sites: dict[int, StaticSite]) -> None:
    for site in sites.values():
        keys = {item.key for item in site.files}
        pages = [k.removesuffix("/index.html") for k in keys if k.endswith("/index.html")]
        assert {"verify", "reset", "forgot-password"} <= set(pages)
        for page in pages:
            assert object_key(f"/{page}") in keys
            assert object_key(f"/{page}/") in keys
        assert object_key("/") in keys
