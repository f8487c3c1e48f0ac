"""The local gateway answers as an HTTP API stage does; checked over HTTP with probe handlers."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from contract.routes import CORS
from infra.local.cors import CorsConfig
from infra.local.gateway import GatewayConfig
from infra.local.server import LocalApiServer

pytestmark = pytest.mark.integration

ORIGIN = "http://localhost:3000"
seen: list[tuple[dict[str, Any], Any]] = []
# Two "meet" invocations can only both pass this barrier if they run at once.
meeting = threading.Barrier(2, timeout=5)


def probe(event: dict[str, Any], context: Any) -> object:  # noqa: PLR0911 - one case a mode
    """Behaves as the `x-probe` header says, and records what it was given."""
    seen.append((event, context))
    match event["headers"].get("x-probe"):
        case "raise":
            raise RuntimeError("probe failure")
        case "sleep":
            time.sleep(2)
            return {"statusCode": 200}
        case "meet":
            try:
                meeting.wait()
            except threading.BrokenBarrierError:
                return {"statusCode": 409}
            return {"statusCode": 200}
        case "bare":
            return {"ok": True}
        case "binary":
            return {"statusCode": 200, "isBase64Encoded": True, "body": "AAEC"}
        case "garbage":
            return {"statusCode": "two hundred"}
    return {
        "statusCode": 201,
        "headers": {"content-type": "text/plain", "access-control-allow-origin": "*"},
        "cookies": ["a=1; Path=/", "b=2"],
        "body": "made",
    }


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    """A gateway on a free port whose integration times out after one second."""
    config = GatewayConfig(cors=CorsConfig(allow_origins=(ORIGIN,)), integration_timeout=1.0)
    server = LocalApiServer(probe, config, port=0)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def call(url: str, probe_mode: str = "", **kwargs: Any) -> httpx.Response:
    """POST /createUser with an optional probe mode."""
    headers = {"x-probe": probe_mode, **kwargs.pop("headers", {})}
    return httpx.post(f"{url}/createUser", headers=headers, timeout=10, **kwargs)


def last_event() -> dict[str, Any]:
    """The event the probe handler received last."""
    return seen[-1][0]


def test_gateway_event_is_payload_2(url: str) -> None:
    raw = "POST /createUser?x=1&x=2 HTTP/1.1\r\nHost: h\r\nX-Dup: a\r\nX-Dup: b\r\n"
    raw += "Content-Type: application/json\r\nCookie: c=1; d=2\r\nContent-Length: 2\r\n\r\n{}"
    with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1]))) as sock:
        sock.sendall(raw.encode())
        assert sock.recv(65536).startswith(b"HTTP/1.1 201")
    event = last_event()
    assert (event["version"], event["routeKey"], event["rawPath"]) == (
        "2.0",
        "POST /createUser",
        "/createUser",
    )
    assert event["rawQueryString"] == "x=1&x=2"
    assert event["queryStringParameters"] == {"x": "1,2"}
    assert event["headers"]["x-dup"] == "a,b"
    assert all(name == name.lower() for name in event["headers"])
    assert event["cookies"] == ["c=1", "d=2"]
    assert (event["body"], event["isBase64Encoded"]) == ("{}", False)
    ctx = event["requestContext"]
    assert ctx["http"]["sourceIp"] == "127.0.0.1"
    assert ctx["http"]["method"] == "POST"
    assert abs(ctx["timeEpoch"] - time.time() * 1000) < 60_000
    assert ctx["requestId"]


def test_gateway_context_has_what_powertools_reads(url: str) -> None:
    call(url)
    context = seen[-1][1]
    assert context.function_name and context.memory_limit_in_mb > 0
    assert context.invoked_function_arn.startswith("arn:aws:lambda:")
    assert len(context.aws_request_id) == 36
    assert 0 < context.get_remaining_time_in_millis() <= 1000


def test_gateway_non_text_body_is_base64(url: str) -> None:
    call(url, content=b"\x00\x01\x02", headers={"content-type": "application/octet-stream"})
    assert last_event()["isBase64Encoded"] is True
    assert base64.b64decode(last_event()["body"]) == b"\x00\x01\x02"


def test_gateway_response_mapping(url: str) -> None:
    response = call(url, headers={"origin": ORIGIN})
    assert (response.status_code, response.text) == (201, "made")
    assert response.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2"]
    # The stage's CORS config wins over the handler's own CORS headers.
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert response.headers["apigw-requestid"] == last_event()["requestContext"]["requestId"]


def test_gateway_base64_and_inferred_responses(url: str) -> None:
    assert call(url, "binary").content == b"\x00\x01\x02"
    bare = call(url, "bare")
    assert (bare.status_code, bare.json()) == (200, {"ok": True})
    assert bare.headers["content-type"] == "application/json"


def test_gateway_unknown_route_is_404(url: str) -> None:
    response = httpx.get(f"{url}/createUser", timeout=10)
    assert (response.status_code, response.json()) == (404, {"message": "Not Found"})
    assert httpx.post(f"{url}/nope", timeout=10).status_code == 404


def test_gateway_handler_exception_is_500(url: str) -> None:
    response = call(url, "raise")
    assert (response.status_code, response.json()) == (500, {"message": "Internal Server Error"})


def test_gateway_malformed_lambda_response_is_500(url: str) -> None:
    assert call(url, "garbage").status_code == 500


def test_gateway_integration_timeout_is_503(url: str) -> None:
    response = call(url, "sleep")
    assert (response.status_code, response.json()) == (503, {"message": "Service Unavailable"})


def test_gateway_body_over_10_mb_is_413_without_invoking(url: str) -> None:
    before = len(seen)
    response = call(url, content=b"x" * (10 * 1024 * 1024 + 1))
    assert response.status_code == 413
    assert response.json() == {"message": "Request Entity Too Large"}
    assert len(seen) == before


def test_gateway_body_of_exactly_10_mb_reaches_handler(url: str) -> None:
    body = json.dumps({"pad": "x" * (10 * 1024 * 1024 - 11)}).encode()
    assert len(body) == 10 * 1024 * 1024
    assert call(url, content=body, headers={"content-type": "application/json"}).status_code == 201


def test_gateway_preflight_allowed_origin(url: str) -> None:
    response = httpx.options(
        f"{url}/createUser",
        headers={
            "origin": ORIGIN,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type,idempotency-key",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == ORIGIN
    # Every method some route serves (GET /me and the issuer's documents too).
    assert response.headers["access-control-allow-methods"] == ",".join(CORS.allow_methods)
    # A browser client may send Idempotency-Key to retry its own submission,
    # and its bearer token to GET /me.
    assert response.headers["access-control-allow-headers"] == ",".join(CORS.allow_headers)


def test_gateway_preflight_other_origin_gets_no_cors_headers(url: str) -> None:
    before = len(seen)
    response = httpx.options(
        f"{url}/createUser",
        headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
    )
    assert response.status_code == 204
    assert "access-control-allow-origin" not in response.headers
    assert len(seen) == before


def test_gateway_serves_requests_in_parallel(url: str) -> None:
    # Each invocation waits at a two-party barrier: served one after the other,
    # the first would time out there and answer 409. No clock is read.
    statuses: list[int] = []

    def meet() -> None:
        statuses.append(call(url, "meet").status_code)

    threads = [threading.Thread(target=meet) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200, 200]


def _chunks(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def test_gateway_chunked_body_reaches_the_handler_whole(url: str) -> None:
    body = json.dumps({"pad": "x" * 200_000}).encode()
    # A generator makes httpx send Transfer-Encoding: chunked, no Content-Length.
    response = call(url, content=_chunks(body), headers={"content-type": "application/json"})
    assert response.status_code == 201
    assert last_event()["body"] == body.decode()


def test_gateway_chunked_body_over_10_mb_is_a_readable_413(url: str) -> None:
    before = len(seen)
    response = call(url, content=_chunks(b"x" * (10 * 1024 * 1024 + 1)))
    assert response.status_code == 413
    assert response.json() == {"message": "Request Entity Too Large"}
    assert response.headers["apigw-requestid"]
    assert len(seen) == before


def test_gateway_source_ip_is_the_peer_never_a_forwarded_header(url: str) -> None:
    call(url, headers={"x-forwarded-for": "198.51.100.7", "forwarded": "for=198.51.100.7"})
    assert last_event()["requestContext"]["http"]["sourceIp"] == "127.0.0.1"
