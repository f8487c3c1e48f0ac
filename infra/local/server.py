"""The HTTP side of the local gateway: sockets, body limits, keep-alive, threads."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from infra.local.events import HttpRequest, HttpResponse
from infra.local.gateway import (
    BAD_REQUEST,
    TOO_LARGE,
    GatewayConfig,
    Handler,
    answer,
    new_request_id,
)

log = logging.getLogger(__name__)

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class BodyTooLargeError(Exception):
    """The request body exceeds the stage's payload quota."""


class MalformedRequestError(Exception):
    """The request framing (Content-Length, chunks) is unreadable."""


class LocalApiServer(ThreadingHTTPServer):
    """One thread per connection, so bcrypt (which releases the GIL) uses every core."""

    daemon_threads = True
    # 50 clients connecting at once must not overflow the listen backlog (default 5).
    request_queue_size = 128

    def __init__(self, handler: Handler, config: GatewayConfig, port: int) -> None:
        self.lambda_handler = handler
        self.config = config
        # Loopback only: the local stage has fake credentials and no auth in front.
        super().__init__(("127.0.0.1", port), _RequestHandler)

    @property
    def url(self) -> str:
        """The base URL, with the port actually bound (useful with port 0)."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> threading.Thread:
        """Serve in a background thread; `shutdown()` stops it."""
        thread = threading.Thread(target=self.serve_forever, name="local-api", daemon=True)
        thread.start()
        return thread


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as API Gateway offers
    server: LocalApiServer

    def __getattr__(self, name: str) -> Callable[[], None]:
        # http.server answers its own 501 HTML page for a method without a
        # do_* (TRACE, PROPFIND, ...); API Gateway routes every method and
        # answers an unknown route key with its JSON 404, so send them all on.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def _serve(self) -> None:
        config = self.server.config
        try:
            body = self._read_body(config.max_body_bytes)
        except BodyTooLargeError:
            # The rest of the body is still on the wire: answer, then hang up.
            self.close_connection = True
            self._send(TOO_LARGE, request_id=new_request_id())
            return
        except MalformedRequestError:
            self.close_connection = True
            self._send(BAD_REQUEST, request_id=new_request_id())
            return
        request = HttpRequest(
            method=self.command,
            target=self.path,
            headers=tuple(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
        )
        self._send(answer(request, self.server.lambda_handler, config))

    def _read_body(self, limit: int) -> bytes:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            return self._read_chunked(limit)
        try:
            length = int(self.headers.get("content-length") or 0)
        except ValueError as exc:
            raise MalformedRequestError from exc
        if length < 0:
            raise MalformedRequestError
        if length > limit:
            raise BodyTooLargeError
        return self.rfile.read(length)

    def _read_chunked(self, limit: int) -> bytes:
        body = bytearray()
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError as exc:
                raise MalformedRequestError from exc
            if size == 0:
                # Skip trailers up to the blank line that ends the message.
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                return bytes(body)
            if len(body) + size > limit:
                raise BodyTooLargeError
            body += self.rfile.read(size)
            self.rfile.readline(1024)  # the CRLF after each chunk

    def _send(self, response: HttpResponse, *, request_id: str | None = None) -> None:
        headers = list(response.headers)
        if request_id is not None:
            headers.append(("apigw-requestid", request_id))
        self.log_request(response.status)
        self.send_response_only(response.status)
        self.send_header("date", formatdate(usegmt=True))
        if response.status not in (204, 304):  # RFC 9110: these carry no Content-Length
            self.send_header("content-length", str(len(response.body)))
        for name, value in headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: object) -> None:
        log.info("%s %s", self.address_string(), format % args)


for _method in _METHODS:
    setattr(_RequestHandler, f"do_{_method}", _RequestHandler._serve)
