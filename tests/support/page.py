"""What a served sign-up page must answer, deployed (tests/smoke) or local (tests/integration)."""

from __future__ import annotations

import httpx

from signup_web.hosting import HEALTH_PATH


def check_page_and_backend(client: httpx.Client, url: str) -> httpx.Response:
    """The page's HTML and, through the same origin, the backend: both 200. Returns the page."""
    page = client.get(f"{url}/")
    assert page.status_code == 200, (page.status_code, page.text[:300])
    assert page.headers["content-type"].startswith("text/html")
    assert "/assets/" in page.text  # the export's bundle, not an error page
    ping = client.get(f"{url}{HEALTH_PATH}")
    assert ping.status_code == 200, (ping.status_code, ping.text[:300])
    assert ping.json() == "pong"
    return page
