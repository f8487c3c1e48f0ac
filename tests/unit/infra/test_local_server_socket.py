"""The local API server's listener: connections get TCP_NODELAY, so no answer waits on Nagle.

Without it, uvicorn's second write of an answer (the body after the
headers) waited for the client's delayed ACK: about 40 ms on every request
of a kept-alive connection but its first.
"""

from __future__ import annotations

import asyncio
import socket

from infra.local.server import _listener


async def _nodelay_of_accepted(listener: socket.socket) -> int:
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(on_connect, sock=listener)
    async with server:
        _, writer = await asyncio.open_connection(*listener.getsockname())
        try:
            return await asyncio.wait_for(accepted, timeout=5)
        finally:
            writer.close()


def test_accepted_connections_have_nagle_off() -> None:
    assert asyncio.run(_nodelay_of_accepted(_listener(0))) != 0


def test_the_standard_librarys_server_socket_would_leave_nagle_on() -> None:
    # Why _listener exists: asyncio skips sockets whose proto is not IPPROTO_TCP.
    plain = socket.create_server(("127.0.0.1", 0))
    assert asyncio.run(_nodelay_of_accepted(plain)) == 0


def test_the_listener_is_loopback_only() -> None:
    listener = _listener(0)
    try:
        assert listener.getsockname()[0] == "127.0.0.1"
    finally:
        listener.close()
