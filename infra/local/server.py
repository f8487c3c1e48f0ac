"""The HTTP side of the local gateway: uvicorn serving the pure `gateway.answer()`.

uvicorn parses HTTP (framing, chunked bodies, keep-alive); this module only
applies API Gateway's payload quota and hands each request to `answer()` on a
worker thread, so bcrypt (which releases the GIL) runs on every core.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

import uvicorn

from infra.local.events import HttpRequest, HttpResponse
from infra.local.gateway import TOO_LARGE, GatewayConfig, Handler, answer, new_request_id
from infra.local.ports import wait_until

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

# Over the quota the rest of the body is still read and dropped (up to this
# much), so the client has finished sending and can read the 413; beyond it
# the connection is closed after the answer.
_DRAIN_LIMIT: Final = 64 * 1024 * 1024
# Enough for the suites' 50 concurrent sign-ups; each invocation also has its
# own thread for the integration timeout (gateway.invoke).
_WORKERS: Final = 128
_STARTUP_TIMEOUT: Final = 10.0


class GatewayApp:
    """The ASGI application: one HTTP request in, `answer()`'s response out."""

    def __init__(self, handler: Handler, config: GatewayConfig) -> None:
        self.handler = handler
        self.config = config
        self._pool = ThreadPoolExecutor(max_workers=_WORKERS, thread_name_prefix="gateway")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one HTTP request (lifespan and websocket scopes are not part of an HTTP API)."""
        if scope["type"] != "http":
            return
        body, too_large = await _read_body(receive, self.config.max_body_bytes)
        if too_large:
            await _send(send, _with_request_id(TOO_LARGE, new_request_id()))
            return
        query = scope.get("query_string", b"").decode("latin-1")
        path = scope.get("raw_path", scope["path"].encode()).decode("latin-1")
        request = HttpRequest(
            method=scope["method"],
            target=f"{path}?{query}" if query else path,
            headers=tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]),
            body=body,
            source_ip=(scope.get("client") or ("127.0.0.1", 0))[0],
        )
        loop = asyncio.get_running_loop()
        response = await loop.run_in_executor(
            self._pool, answer, request, self.handler, self.config
        )
        await _send(send, response)

    def close(self) -> None:
        """Let running invocations finish on their own; take no new ones."""
        self._pool.shutdown(wait=False)


async def _read_body(receive: Receive, limit: int) -> tuple[bytes, bool]:
    """The whole body, or (b"", True) once it is over `limit` (the rest drained, up to a cap)."""
    body = bytearray()
    received = 0
    while received <= _DRAIN_LIMIT:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        received += len(chunk)
        if received <= limit:
            body += chunk
        if not message.get("more_body", False):
            break
    if received > limit:
        return b"", True
    return bytes(body), False


def _with_request_id(response: HttpResponse, request_id: str) -> HttpResponse:
    headers = (*response.headers, ("apigw-requestid", request_id))
    return HttpResponse(response.status, headers, response.body)


async def _send(send: Send, response: HttpResponse) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    if response.status not in (204, 304):  # RFC 9110: these carry no Content-Length
        headers.append((b"content-length", str(len(response.body)).encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})


def _listener(port: int) -> socket.socket:
    """A listening TCP socket on 127.0.0.1 whose connections asyncio sets TCP_NODELAY on.

    asyncio turns Nagle off only on sockets whose protocol reads IPPROTO_TCP,
    and an accepted socket inherits the listener's: `socket.create_server`
    leaves it 0. With Nagle on, uvicorn's second write of an answer (the body
    after the headers) waited for the client's delayed ACK, about 40 ms on
    every request but a connection's first (measured: a 404 took 44 ms with a
    kept-alive client, 1.5 ms on a new connection).
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(128)
    except OSError:
        listener.close()
        raise
    return listener


class LocalApiServer:
    """uvicorn on 127.0.0.1 in a background thread; `start()`, then `url`, then `stop()`."""

    def __init__(self, handler: Handler, config: GatewayConfig, port: int) -> None:
        self.app = GatewayApp(handler, config)
        # Bound here, loopback only (the local stage has fake credentials and
        # no auth in front), so `url` knows the port even when port 0 was asked.
        self._socket = _listener(port)
        self._server = uvicorn.Server(
            uvicorn.Config(
                self.app,
                lifespan="off",
                log_level="warning",
                access_log=False,
                server_header=False,
                # API Gateway's sourceIp is the connection's peer; uvicorn would
                # otherwise take it from X-Forwarded-For sent by a local client.
                proxy_headers=False,
                timeout_graceful_shutdown=1,
            )
        )
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL, with the port actually bound."""
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}"

    def start(self) -> None:
        """Serve in a background thread; return once requests are accepted."""
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="local-api"
        )
        self._thread.daemon = True
        self._thread.start()
        thread = self._thread
        wait_until(
            lambda: bool(self._server.started),
            proc=None,
            exited=lambda: None if thread.is_alive() else 1,
            what="the local API server",
            timeout=_STARTUP_TIMEOUT,
            poll_seconds=0.01,
        )

    def stop(self) -> None:
        """Stop accepting requests and close the socket."""
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.app.close()
        self._socket.close()
