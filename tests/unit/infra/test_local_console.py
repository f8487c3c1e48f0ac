"""infra.local.console: one short line per request, mailed links set apart, no plumbing noise."""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterator

import pytest

from contract.routes import SERVICE_NAME
from infra.local.console import (
    METRICS_DISABLED,
    RequestLine,
    mail_line,
    operation_of,
    quiet_for_people,
)


def _record(**fields: object) -> logging.LogRecord:
    record = logging.LogRecord(SERVICE_NAME, logging.INFO, __file__, 1, "createUser", (), None)
    record.__dict__.update(fields)
    return record


def test_request_line_is_one_short_line_with_status_outcome_and_codes() -> None:
    line = RequestLine().format(
        _record(
            status=400,
            outcome="RequestRejected",
            errorCodes=["password_too_short"],
            durationMs=12.4,
            requestId="rid-1",
        )
    )
    assert line.endswith(
        "createUser 400 RequestRejected 12 ms [password_too_short] (request rid-1)"
    )
    assert "\n" not in line
    assert operation_of(line) == "createUser"
    assert operation_of("Press Ctrl-C to stop.") is None


def test_mail_line_stands_apart_and_keeps_the_searchable_text() -> None:
    line = mail_line("ada@example.com", "http://localhost:3000/verify?token=t")
    assert line.startswith("\n") and line.endswith("\n")
    assert "Mail to ada@example.com: http://localhost:3000/verify?token=t" in line


@pytest.fixture
def restored_loggers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The loggers quiet_for_people changes, put back afterwards."""
    monkeypatch.delenv(METRICS_DISABLED, raising=False)
    loggers = [logging.getLogger(name) for name in (SERVICE_NAME, "httpx", "httpcore")]
    saved = [(lg, lg.level, lg.propagate, list(lg.handlers)) for lg in loggers]
    yield
    for lg, level, propagate, handlers in saved:
        lg.setLevel(level)
        lg.propagate = propagate
        lg.handlers[:] = handlers


@pytest.mark.usefixtures("restored_loggers")
def test_quiet_for_people_prints_one_line_a_request_and_no_probe_or_metrics() -> None:
    out = io.StringIO()
    quiet_for_people(out)
    logging.getLogger(SERVICE_NAME).info("createUser", extra={"status": 200, "requestId": "r"})
    logging.getLogger("httpx").info("HTTP Request: GET http://127.0.0.1:3000 200 OK")
    assert out.getvalue().count("\n") == 1
    assert "createUser 200" in out.getvalue()
    assert not logging.getLogger(SERVICE_NAME).propagate
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING
    assert os.environ[METRICS_DISABLED] == "true"
