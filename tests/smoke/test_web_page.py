"""A stage's hosted sign-up page answers: `--web-url` (or WEB_URL), the stack's webUrl output."""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest

from tests.support.page import check_mailed_link_page, check_page_and_backend

pytestmark = [pytest.mark.smoke]


@pytest.fixture(scope="module")
def web_url(request: pytest.FixtureRequest) -> str:
    """The page's URL; without one (a stage that hosts no page) there is nothing to check."""
    url = request.config.getoption("--web-url") or os.environ.get("WEB_URL", "")
    if not url:
        pytest.skip(
            "no hosted page given (--web-url or WEB_URL); tests/integration covers it locally"
        )
    return str(url).rstrip("/")


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    """A fresh deployment's first request may wait on a cold CloudFront edge."""
    with httpx.Client(timeout=30.0) as http:
        yield http


def test_hosted_page_and_its_backend_answer_200(client: httpx.Client, web_url: str) -> None:
    page = check_page_and_backend(client, web_url)
    # CloudFront's security headers policy is on the page's responses.
    assert "max-age" in page.headers.get("strict-transport-security", "")


def test_mailed_link_opens_its_own_page_with_200(client: httpx.Client, web_url: str) -> None:
    # The distribution's page-path function maps /verify to the export's HTML.
    check_mailed_link_page(client, web_url)


def test_hosted_page_is_https_only(client: httpx.Client, web_url: str) -> None:
    assert web_url.startswith("https://")
    response = client.get(web_url.replace("https://", "http://", 1) + "/")
    assert response.status_code in {301, 302, 307, 308}
    assert response.headers["location"].startswith("https://")
