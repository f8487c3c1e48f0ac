"""What `make dev` prints: one short line per request, and each mailed link standing out.

On AWS the function writes one JSON line per request (backend/handler.py
`_record`) and its metrics as CloudWatch embedded-metric lines. Run in this
process for a person at a terminal, the same records become one short human
line each; the metric lines (no CloudWatch reads them here) and the readiness
probe's `httpx: HTTP Request` lines are left out.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from typing import Final, TextIO

from contract.routes import SERVICE_NAME

# Powertools reads it when it flushes metrics (each request): set, nothing is printed.
METRICS_DISABLED: Final = "POWERTOOLS_METRICS_DISABLED"
# `08:28:11 createUser 200 …`: how a request's line starts (tests count them).
_REQUEST_LINE: Final = re.compile(r"(?:\d\d:){2}\d\d (\w+) \d{3} ")
# Libraries whose INFO lines are the stage's own plumbing, not a visitor's request.
_PLUMBING: Final = ("httpx", "httpcore")


class RequestLine(logging.Formatter):
    """`08:28:11 createUser 200 SignupAccepted 1148 ms (request hjne9oWRMJ0226g=)`."""

    def format(self, record: logging.LogRecord) -> str:
        """The request's log record (its extra fields) as one line; a traceback after it."""
        fields = record.__dict__
        codes = fields.get("errorCodes") or []
        parts = [
            self.formatTime(record, "%H:%M:%S"),
            record.getMessage(),
            str(fields.get("status", "")),
            str(fields.get("outcome", "")),
            f"{round(fields.get('durationMs', 0))} ms",
        ]
        if codes:
            parts.append(f"[{', '.join(codes)}]")
        if cause := fields.get("cause"):
            parts.append(f"cause: {cause}")
        parts.append(f"(request {fields.get('requestId', '-')})")
        line = " ".join(part for part in parts if part)
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def operation_of(line: str) -> str | None:
    """The operation a console line reports a request of, or None for any other line."""
    match = _REQUEST_LINE.match(line)
    return match.group(1) if match else None


def quiet_for_people(stream: TextIO = sys.stdout) -> None:
    """Turn the function's request log into one human line and drop the rest of the noise.

    Called by `python -m infra.local` only (tests read the JSON lines).
    """
    os.environ.setdefault(METRICS_DISABLED, "true")
    for name in _PLUMBING:
        logging.getLogger(name).setLevel(logging.WARNING)
    function_log = logging.getLogger(SERVICE_NAME)
    # Powertools' own handler writes the JSON line; the root handler would repeat it in plain.
    function_log.propagate = False
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RequestLine())
    for old in list(function_log.handlers):
        function_log.removeHandler(old)
    function_log.addHandler(handler)


def mail_line(address: str, link: str) -> str:
    """A mailed link, set off by blank lines so it cannot be lost among the requests."""
    return f"\n>>> Mail to {address}: {link}\n"
