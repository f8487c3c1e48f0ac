"""A bounded, deterministic schemathesis run against the local stage and docs/openapi.yaml.

Positive and negative cases (examples, coverage and fuzzing phases): no 5xx,
and every status, content type, header and body as the document says; data
that breaks the document's schema must be refused. `positive_data_acceptance`
is not run: the rules (NFKC lengths, reserved names, common passwords) are
stricter than a JSON Schema can say, so valid-looking data is often refused.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.plugins.hygiene import assert_clean
from tests.support.openapi import DOCUMENT
from tests.support.stage_process import LocalStageProcess

pytestmark = [
    pytest.mark.hardening,
    pytest.mark.slow,
    pytest.mark.integration,
    pytest.mark.timeout(300),
]

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
)
MAX_EXAMPLES = 300  # fuzzing examples; with the coverage phase a few hundred requests


def test_schemathesis_finds_no_5xx_and_no_drift(
    local_stage: LocalStageProcess, tmp_path: Path
) -> None:
    st = Path(sys.executable).with_name("st")
    argv = [
        str(st),
        "run",
        str(DOCUMENT),
        "--url",
        local_stage.api_url,
        "--checks",
        ",".join(CHECKS),
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--generation-deterministic",  # same cases every run, and no example database
        "--workers",
        "2",
        "--request-timeout",
        "20",
        "--no-color",
    ]
    # cwd=tmp_path: no schemathesis.toml of ours applies and nothing is written to the repo.
    result = subprocess.run(  # noqa: PLW1510 - the exit status is asserted below
        argv, cwd=tmp_path, capture_output=True, text=True, timeout=240
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    generated = re.search(r"(\d+) generated", output)
    assert generated is not None, output[-2000:]
    assert int(generated.group(1)) >= 200, generated.group(0)  # bounded, but a real run
    assert_clean([output], "schemathesis' output")
