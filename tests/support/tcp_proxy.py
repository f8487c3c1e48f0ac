"""A small TCP proxy on 127.0.0.1 that can slow down or stall what passes through it.

Placed between the handler (its AWS_ENDPOINT_URL_DYNAMODB) and DynamoDB Local,
a fault test makes the store slow without touching the store or the client;
placed between the web UI and the API, a browser test loses one answer
(`delay_next_answer`). Threads are daemons and `close()` ends every connection, so a failing
test never leaves it running.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from types import TracebackType

_CHUNK = 64 * 1024


class DelayProxy:
    """Forwards 127.0.0.1:`port` to `upstream`, holding each chunk for the configured delays.

    `request_delay` holds what the client sends; a request whose client gave up
    meanwhile is dropped, never forwarded late. `response_delay` holds what the
    upstream answers, after it has acted on the request.
    """

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.request_delay = 0.0
        self.response_delay = 0.0
        self._next_answer_delay = 0.0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        threading.Thread(target=self._accept, name="delay-proxy", daemon=True).start()

    @property
    def url(self) -> str:
        """The endpoint to give the client instead of the upstream's."""
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5)
            except OSError:
                client.close()  # the store is down: the client sees a dropped connection
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets += [client, upstream]
            for src, dst, direction in (
                (client, upstream, "request"),
                (upstream, client, "response"),
            ):
                threading.Thread(
                    target=self._pump,
                    args=(src, dst, direction),
                    name="delay-proxy-pump",
                    daemon=True,
                ).start()

    def delay_next_answer(self, seconds: float) -> None:
        """Hold back only the next answer to arrive, on whichever connection, by `seconds`.

        Set before the request is sent: the answer is held once it exists, so
        the upstream has acted on the request, and if the client gives up
        meanwhile the answer is lost; later answers pass at once.
        """
        with self._lock:
            self._next_answer_delay = seconds

    def _pump(self, src: socket.socket, dst: socket.socket, direction: str) -> None:
        try:
            while data := src.recv(_CHUNK):
                delay = self.request_delay if direction == "request" else self.response_delay
                if direction == "response":
                    with self._lock:
                        delay, self._next_answer_delay = max(delay, self._next_answer_delay), 0.0
                if delay and not self._hold(delay, client=src if direction == "request" else dst):
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def _hold(self, seconds: float, *, client: socket.socket) -> bool:
        """Wait `seconds`; False when the client hung up meanwhile (or the proxy closed)."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if self._closed.wait(min(left, 0.05)):
                return False
            readable, _, _ = select.select([client], [], [], 0)
            if readable:
                try:
                    if client.recv(1, socket.MSG_PEEK) == b"":
                        return False
                except OSError:
                    return False
        return True

    def close(self) -> None:
        """Stop accepting and end every connection."""
        self._closed.set()
        self._listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.close()

    def __enter__(self) -> DelayProxy:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
