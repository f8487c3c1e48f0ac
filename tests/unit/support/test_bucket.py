"""The local proof's bucket stand-in: S3 behind the page-path function (keys, no redirects)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.support.bucket import bucket_handler


@pytest.fixture
def bucket(tmp_path: Path) -> Iterator[str]:
    """A tiny export served on 127.0.0.1 (port chosen by the system); stopped at the end."""
    (tmp_path / "verify").mkdir()
    (tmp_path / "index.html").write_text("<title>Home</title>")
    (tmp_path / "verify" / "index.html").write_text("<title>Verify</title>")
    (tmp_path.parent / "outside.html").write_text("secret")
    server = ThreadingHTTPServer(("127.0.0.1", 0), bucket_handler(tmp_path))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("path", ["/verify?token=x", "/verify/", "/verify/index.html"])
def test_bucket_serves_a_page_path_without_a_redirect(bucket: str, path: str) -> None:
    response = httpx.get(f"{bucket}{path}", follow_redirects=False)
    assert response.status_code == 200
    assert response.text == "<title>Verify</title>"
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    "path", ["/nope", "/verify.html", "/../outside.html", "/%2e%2e/outside.html"]
)
def test_bucket_answers_a_missing_key_with_404(bucket: str, path: str) -> None:
    response = httpx.get(f"{bucket}{path}", follow_redirects=False)
    assert response.status_code == 404
    assert "secret" not in response.text


def test_bucket_serves_the_root_object(bucket: str) -> None:
    assert httpx.get(f"{bucket}/").text == "<title>Home</title>"
