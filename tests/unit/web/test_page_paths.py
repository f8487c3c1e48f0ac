"""SlashlessPages: a page's path is served as its folder, with no redirect; others untouched."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from signup_web.page_paths import SlashlessPages


def _echo(request: Request) -> PlainTextResponse:
    return PlainTextResponse(f"{request.url.path}?{request.url.query}")


def _client() -> TestClient:
    inner = Starlette(routes=[Route("/{path:path}", _echo, methods=["GET", "HEAD", "POST"])])
    return TestClient(SlashlessPages(inner, ("/", "/verify", "/sign-in")))


def test_page_path_is_served_as_its_folder_with_the_query() -> None:
    answer = _client().get("/verify?token=abc", follow_redirects=False)
    assert (answer.status_code, answer.text) == (200, "/verify/?token=abc")


def test_other_paths_and_methods_pass_untouched() -> None:
    client = _client()
    assert client.get("/verify/", follow_redirects=False).text == "/verify/?"
    assert client.get("/_reflex/ping", follow_redirects=False).text == "/_reflex/ping?"
    assert client.post("/verify", follow_redirects=False).text == "/verify?"
    assert client.get("/", follow_redirects=False).text == "/?"
