"""SlashlessPages: a page's path is served as its folder, with no redirect; others untouched."""

from __future__ import annotations

import asyncio

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from signup_web.page_paths import SlashlessPages


def _echo(request: Request) -> PlainTextResponse:
    return PlainTextResponse(f"{request.url.path}?{request.url.query}")


def _answer(method: str, path: str) -> httpx.Response:
    inner = Starlette(routes=[Route("/{path:path}", _echo, methods=["GET", "HEAD", "POST"])])
    app = SlashlessPages(inner, ("/", "/verify", "/sign-in"))

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://page") as client:
            return await client.request(method, path)

    return asyncio.run(call())


def test_page_path_is_served_as_its_folder_with_the_query() -> None:
    answer = _answer("GET", "/verify?token=abc")
    assert (answer.status_code, answer.text) == (200, "/verify/?token=abc")


def test_other_paths_and_methods_pass_untouched() -> None:
    assert _answer("GET", "/verify/").text == "/verify/?"
    assert _answer("GET", "/_reflex/ping").text == "/_reflex/ping?"
    assert _answer("POST", "/verify").text == "/verify?"
    assert _answer("GET", "/").text == "/?"
