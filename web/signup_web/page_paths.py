"""Page paths answer without a redirect: `/verify?token=…` is served as it was mailed.

Reflex's production server exports each page as `<route>/index.html` and
serves the folder with Starlette's StaticFiles, which answers a folder's
path without its trailing slash with a 307 to the slashed one (a round trip
before the page starts loading, about 600 ms on a throttled phone). This
ASGI middleware hands the slashed path to the files instead, so the mailed
link's own path answers 200. Only the exported page routes are rewritten;
the backend's paths and every other path pass untouched.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send


class SlashlessPages:
    """Serve `/route` as `/route/` for each page route (not `/`), without a redirect."""

    def __init__(self, app: ASGIApp, routes: Iterable[str]) -> None:
        self.app = app
        self.routes = frozenset(route.rstrip("/") for route in routes if route.strip("/"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Rewrite the path of a GET or HEAD of a page route; pass everything on."""
        if (
            scope["type"] == "http"
            and scope.get("method") in ("GET", "HEAD")
            and scope.get("path") in self.routes
        ):
            path = f"{scope['path']}/"
            scope = {**scope, "path": path, "raw_path": path.encode()}
        await self.app(scope, receive, send)
