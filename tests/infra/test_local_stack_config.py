"""The local stage and deployment CI read CORS origins from the committed stack files."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.local.stack_config import cors_origins

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("stage", ["dev", "staging", "prod"])
def test_stack_config_every_stack_names_an_origin_for_the_smoke_preflight(stage: str) -> None:
    origins = cors_origins(ROOT / f"Pulumi.{stage}.yaml")
    assert origins
    assert all("://" in origin for origin in origins)


def test_stack_config_dev_allows_the_local_web_ui() -> None:
    assert "http://localhost:3000" in cors_origins(ROOT / "Pulumi.dev.yaml")


def test_stack_config_accepts_a_comma_separated_string(tmp_path: Path) -> None:
    stack = tmp_path / "Pulumi.x.yaml"
    stack.write_text("config:\n  signup:corsOrigins: https://a.example, https://b.example\n")
    assert cors_origins(stack) == ("https://a.example", "https://b.example")


def test_stack_config_missing_file_means_no_origins(tmp_path: Path) -> None:
    assert cors_origins(tmp_path / "absent.yaml") == ()
