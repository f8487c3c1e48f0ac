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


def check_mailed_link_page(client: httpx.Client, url: str) -> httpx.Response:
    """A mailed link's path (`/verify?token=...`) answers 200 with its own page, no redirect."""
    home = client.get(f"{url}/")
    link = client.get(f"{url}/verify", params={"token": "x"}, follow_redirects=False)
    assert link.status_code == 200, (link.status_code, link.headers.get("location"))
    assert link.headers["content-type"].startswith("text/html")
    # Its own prerendered page, not the home page (nor the 404 page) served in its place.
    assert _title(link.text) and _title(link.text) != _title(home.text)
    return link


def _title(html: str) -> str:
    start = html.find("<title>")
    return html[start + len("<title>") : html.find("</title>", start)] if start >= 0 else ""
