"""How the local stage starts the web UI: command line and environment, no process started."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from infra.local import web
from infra.local.__main__ import options_from, parse_args


def test_web_command_serves_one_port_in_prod_or_preview() -> None:
    assert web.web_command(3000, reload=False) == [
        sys.executable,
        *("-m", "reflex", "run", "--env", "prod"),
        *("--frontend-port", "3000", "--backend-port", "3000"),
    ]
    assert "preview" in web.web_command(3000, reload=True)


def test_web_environment_names_the_api_and_turns_telemetry_off(tmp_path: Path) -> None:
    bun = tmp_path / "bun"
    bun.write_text("")
    env = web.web_environment("http://127.0.0.1:8080", bun, {"PASSWORD_MIN_LENGTH": "12"})
    assert env == {
        "PASSWORD_MIN_LENGTH": "12",  # passed through, so the form and the API agree
        "API_URL": "http://127.0.0.1:8080",
        "REFLEX_BUN_PATH": str(bun.resolve()),
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
    }


def test_web_environment_without_bun_says_how_to_install(tmp_path: Path) -> None:
    with pytest.raises(web.WebAppError, match="make dev"):
        web.web_environment("http://x", tmp_path / "missing", {})


def test_runner_web_options() -> None:
    defaults = parse_args([])
    assert (defaults.web_port, defaults.web_reload, defaults.no_web) == (3000, False, False)
    args = parse_args(["--web-port", "3100", "--web-reload"])
    assert (args.web_port, args.web_reload) == (3100, True)


def test_runner_cors_origins_and_links_follow_the_web_port() -> None:
    # The API must accept the web UI's origin, and the mails must link to it, on any port.
    options = options_from(parse_args(["--web-port", "3100"]))
    assert options.cors_origins[:2] == ("http://localhost:3100", "http://127.0.0.1:3100")
    assert "http://localhost:3000" not in options.cors_origins[:2]
    assert options.web_url == "http://localhost:3100"


def test_runner_explicit_cors_origins_replace_the_defaults() -> None:
    options = options_from(parse_args(["--web-port", "3100", "--cors-origin", "https://a.test"]))
    assert options.cors_origins == ("https://a.test",)
