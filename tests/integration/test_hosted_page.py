"""Sign up in Chromium through one origin: the export's files and the backend behind one proxy."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from infra.build.page_export import StaticSite
from signup_web.first_paint import RELEASE_SCRIPT
from signup_web.hosting import BACKEND_PATH
from tests.plugins.hosted_page import MIN_LENGTH
from tests.support.browser import PHONE, wait_until_hydrated
from tests.support.hosted_page import HostedPage
from tests.support.journeys import Person, fill_form, handler_calls
from tests.support.page import check_mailed_link_page, check_page_and_backend
from tests.support.stage import table_items
from tests.support.stage_process import LocalStageProcess
from tests.support.users import unique_signup

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
# The per-address limit's counter items (backend/store/counters.py).
_COUNTER = "RATE#address#"


@pytest.fixture
def visited() -> dict[str, list[str]]:
    """Every URL the page requested and every websocket it opened."""
    return {"requests": [], "websockets": []}


@pytest.fixture
def page(
    hosted_browser: Browser, hosted_page: HostedPage, visited: dict[str, list[str]]
) -> Iterator[Page]:
    """The page at https://signup.test/ (375 px), live."""
    context = hosted_browser.new_context(viewport=PHONE)
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    tab.on("request", lambda request: visited["requests"].append(request.url))
    tab.on("websocket", lambda socket: visited["websockets"].append(socket.url))
    try:
        response = tab.goto(f"{hosted_page.origin}/")
        assert response is not None and response.status == 200
        wait_until_hydrated(tab, "submit")
        yield tab
    finally:
        context.close()


def test_signup_through_one_origin_reaches_the_api(
    page: Page,
    hosted_page: HostedPage,
    hosted_stage: LocalStageProcess,
    visited: dict[str, list[str]],
) -> None:
    calls = handler_calls(hosted_stage)
    body = unique_signup("hosted-")
    person = Person(body["username"], body["email"], body["password"])
    fill_form(page, person)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    assert handler_calls(hosted_stage) == calls + 1
    # One origin for everything: the files, the websocket, nothing elsewhere
    # (the browser resolves no other name at all).
    origin = hosted_page.origin
    assert visited["requests"] and all(u.startswith(f"{origin}/") for u in visited["requests"])
    event = f"wss://{hosted_page.hostname}{BACKEND_PATH}/_event"
    assert visited["websockets"] and all(u.startswith(event) for u in visited["websockets"])


def test_a_visitors_own_x_forwarded_for_names_no_address(
    hosted_browser: Browser, hosted_page: HostedPage, hosted_stage: LocalStageProcess
) -> None:
    # The backend trusts only the hop its proxy appended (one here, two on
    # AWS): what a visitor writes into the header stays to the left of it.
    spoofed = "203.0.113.77"
    context = hosted_browser.new_context(
        viewport=PHONE, extra_http_headers={"X-Forwarded-For": spoofed}
    )
    try:
        tab = context.new_page()
        tab.set_default_timeout(20_000)
        tab.goto(f"{hosted_page.origin}/")
        wait_until_hydrated(tab, "submit")
        body = unique_signup("spoof-")
        fill_form(tab, Person(body["username"], body["email"], body["password"]))
        tab.get_by_role("button", name="Create account").click()
        expect(tab.get_by_role("heading", name="Check your inbox")).to_be_visible()
    finally:
        context.close()
    counted = [pk for pk in table_items(hosted_stage, bookkeeping=True) if pk.startswith(_COUNTER)]
    assert counted, "the sign-up was not counted against any address"
    assert not [pk for pk in counted if spoofed in pk]
    # The browser's real address (the proxy's peer), forwarded with the stage's secret.
    assert [pk for pk in counted if pk.startswith(f"{_COUNTER}127.0.0.1#")]


def test_page_shows_the_minimum_it_was_exported_with(page: Page) -> None:
    expect(page.locator("#password-hint")).to_contain_text(f"At least {MIN_LENGTH} characters")


def test_unknown_path_is_the_exports_404_page(page: Page, hosted_page: HostedPage) -> None:
    response = page.goto(f"{hosted_page.origin}/no-such-page")
    assert response is not None and response.status == 404


def test_exported_pages_load_their_javascript_after_the_first_paint(site: StaticSite) -> None:
    pages = [file.path.read_text("utf-8") for file in site.files if file.key.endswith(".html")]
    assert pages
    for html in pages:
        assert 'rel="modulepreload"' not in html
        assert 'type="module"' not in html
        assert RELEASE_SCRIPT in html


def test_page_answers_the_deploy_workflows_check(hosted_page: HostedPage) -> None:
    proxy = f"https://127.0.0.1:{hosted_page.proxy_port}"
    # Self-signed for the test's hostname; this checks routing, not TLS.
    with httpx.Client(verify=False, timeout=10.0) as client:  # noqa: S501
        check_page_and_backend(client, proxy)  # what tests/smoke asks of a stage's webUrl
        assert client.get(f"{proxy}{BACKEND_PATH}/_health").json()["status"] is True


def test_mailed_link_answers_200_with_its_own_page(hosted_page: HostedPage) -> None:
    # S3 has no key `verify`: the page-path function's rule (the bucket
    # stand-in applies it, as CloudFront does) names verify/index.html.
    proxy = f"https://127.0.0.1:{hosted_page.proxy_port}"
    with httpx.Client(verify=False, timeout=10.0) as client:  # noqa: S501 - self-signed
        check_mailed_link_page(client, proxy)


@pytest.mark.parametrize(("origin", "status"), [("page", 101), ("https://evil.example", 403)])
def test_backend_websocket_accepts_the_pages_own_origin_only(
    hosted_page: HostedPage, origin: str, status: int
) -> None:
    url = f"https://127.0.0.1:{hosted_page.proxy_port}{BACKEND_PATH}/_event/"
    headers = {
        "Origin": hosted_page.origin if origin == "page" else origin,
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    }
    params = {"EIO": "4", "transport": "websocket"}
    with (
        httpx.Client(verify=False, timeout=10.0) as client,  # noqa: S501 - self-signed
        client.stream("GET", url, params=params, headers=headers) as response,
    ):
        assert response.status_code == status
