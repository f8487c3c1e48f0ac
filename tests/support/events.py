"""API Gateway payload-2.0 events, built by the local gateway's own translation.

`infra/local/events.py` is the one builder of events; the AWS sample in
tests/events/ is what it is checked against (tests/integration/test_events.py).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

from contract.routes import CREATE_USER
from infra.local.events import HttpRequest, build_event

SAMPLES: Final = Path(__file__).resolve().parents[1] / "events"
JSON_TYPE: Final = (("content-type", "application/json"),)
SAMPLE_API_ID: Final = "a1b2c3d4e5"
SAMPLE_ACCOUNT: Final = "123456789012"
_counter = iter(range(1_000_000))


def sample_event(name: str = "create_user") -> dict[str, Any]:
    """A sample event from tests/events, as AWS documents the format."""
    event: dict[str, Any] = json.loads((SAMPLES / f"{name}.json").read_text("utf-8"))
    return event


def api_event(
    body: object = None,
    *,
    raw: bytes | str | None = None,
    headers: Mapping[str, str] | Iterable[tuple[str, str]] = JSON_TYPE,
    method: str = CREATE_USER.method,
    path: str = CREATE_USER.path,
    source_ip: str = "192.0.2.10",
    request_id: str | None = None,
    base64_body: bool = False,
) -> dict[str, Any]:
    """The event API Gateway sends for this request; a non-None `body` is JSON-encoded.

    `base64_body` re-encodes a text body as base64, as a client sending it with
    another media type would have it arrive.
    """
    data = raw if raw is not None else (b"" if body is None else json.dumps(body))
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    request = HttpRequest(
        method=method,
        target=path,
        headers=(("host", f"{SAMPLE_API_ID}.execute-api.eu-west-1.amazonaws.com"), *pairs),
        body=data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data,
        source_ip=source_ip,
    )
    event = build_event(
        request,
        route_key=f"{method} {path}",
        request_id=request_id or f"test-{next(_counter):06d}",
        api_id=SAMPLE_API_ID,
        account_id=SAMPLE_ACCOUNT,
    )
    if base64_body and not event["isBase64Encoded"] and "body" in event:
        event["body"] = base64.b64encode(event["body"].encode()).decode("ascii")
        event["isBase64Encoded"] = True
    return event
