"""Browser tests: Debian's Chromium drives the web UI against a local stage; all started here.

One local stage, one web UI and one browser for this package (the first
Reflex build is the slow part), all stopped as soon as its last test ends:
Playwright's sync API holds an event loop in the main thread while it runs,
which later suites calling asyncio.run() must not see. The stage listens on a
fixed free port so a test can stop it and bring it back at the same URL, and
it is told the web UI's port, so the links it mails open that UI.
Every process is stopped at teardown, also on failure.

The web UI reaches the API through a DelayProxy (so a test can lose an
answer), with a short timeout, and holds the stage's client-address secret;
it trusts one proxy hop of X-Forwarded-For, which each browser context sets
to an address of its own: every test is a visitor of its own, as behind
CloudFront, and the stage's per-address limit is the product's default.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from backend.config import DEFAULT_RATE_LIMIT_PER_ADDRESS
from contract.environment import CLIENT_ADDRESS_SECRET, RATE_LIMIT_PER_ADDRESS
from infra.local import web
from infra.local.secrets import CLIENT_ADDRESS_SECRET_FILE
from infra.local.stage import free_port
from infra.local.supervisor import Supervisor
from signup_web.settings import API_TIMEOUT_SECONDS
from tests.support.accessibility import AXE_LOG
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, PHONE, wait_until_hydrated
from tests.support.journeys import Person
from tests.support.stage import suite_stage
from tests.support.stage_process import LocalStageProcess
from tests.support.tcp_proxy import DelayProxy
from tests.support.users import unique_signup

OUTPUT_DIR = AXE_LOG.parent
# Seconds the web UI waits for one API answer before it asks again (same key).
WEB_TIMEOUT_SECONDS: Final = 4.0
# Visitors' addresses: 198.18.0.0/15 is set aside for tests (RFC 2544).
_VISITORS: Final = (str(a) for a in ipaddress.ip_network("198.18.0.0/15").hosts())
_CALL_REPORT = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    """Keep the test body's report so the `page` fixture knows whether to take a screenshot."""
    report: pytest.TestReport = yield
    if report.when == "call":
        item.stash[_CALL_REPORT] = report
    return report


@pytest.fixture(scope="package", autouse=True)
def fresh_axe_log() -> None:
    """One run's record of axe results, emptied before the package's first browser test."""
    AXE_LOG.unlink(missing_ok=True)


@pytest.fixture(scope="package")
def web_port() -> int:
    """The web UI's port, chosen first: the stage's mails link to it."""
    return free_port()


@pytest.fixture(scope="package")
def e2e_stage(
    tmp_path_factory: pytest.TempPathFactory, web_port: int
) -> Iterator[LocalStageProcess]:
    """A local stage on a fixed port, so stopping and restarting it keeps its URL and data."""
    args = ("--api-port", str(free_port()), "--web-port", str(web_port))
    limits = {RATE_LIMIT_PER_ADDRESS: str(DEFAULT_RATE_LIMIT_PER_ADDRESS)}
    stage = suite_stage(tmp_path_factory.mktemp("e2e-stage") / "data", env=limits, args=args)
    try:
        stage.start()
        yield stage
    finally:
        stage.stop()


@pytest.fixture(scope="package")
def api_proxy(e2e_stage: LocalStageProcess) -> Iterator[DelayProxy]:
    """The web UI's way to the API: a test may hold its answers back."""
    port = e2e_stage.api_url.rpartition(":")[2]
    with DelayProxy(int(port)) as proxy:
        yield proxy


@pytest.fixture(scope="package")
def web_url(
    e2e_stage: LocalStageProcess,
    api_proxy: DelayProxy,
    web_port: int,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """The web UI (`reflex run`), pointed at the e2e stage; its log is kept in the session's tmp."""
    supervisor = Supervisor(grace_seconds=10)
    log_file = tmp_path_factory.mktemp("web") / "web.log"
    secret = (e2e_stage.data_dir / CLIENT_ADDRESS_SECRET_FILE).read_text("utf-8").strip()
    env = {
        **os.environ,
        API_TIMEOUT_SECONDS: str(WEB_TIMEOUT_SECONDS),
        CLIENT_ADDRESS_SECRET: secret,
        # Reflex's own setting: the browser's address is the last X-Forwarded-For hop.
        "REFLEX_TRUSTED_PROXY_HOPS": "1",
    }
    try:
        yield web.start(
            supervisor, api_url=api_proxy.url, port=web_port, log_file=log_file, env=env
        )
    finally:
        supervisor.stop()


def visitor_address() -> str:
    """An address no other browser context of this run has."""
    return next(_VISITORS)


def visitor_context(browser: Browser, web_url: str, address: str) -> BrowserContext:
    """A browser context at 375 px, light, whose requests come from `address` (as a proxy says)."""
    return browser.new_context(
        viewport=PHONE,
        base_url=web_url,
        color_scheme="light",
        extra_http_headers={"X-Forwarded-For": address},
    )


@pytest.fixture(scope="package")
def mailed_url(web_port: int) -> str:
    """The web UI's address as the stage's mails spell it (its WEB_URL)."""
    return f"http://localhost:{web_port}"


@pytest.fixture(scope="package")
def outbox(e2e_stage: LocalStageProcess) -> Path:
    """Where the stage writes each mail as an .eml file."""
    return e2e_stage.data_dir / "mail"


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """One Playwright driver per test module: its sync API allows one per thread, and its
    event loop must be gone before later tests run `asyncio.run` themselves."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium (`make test` installs it); Playwright's own browsers are not downloaded."""
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture
def page(browser: Browser, web_url: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    """The sign-up page at 375 px, light, live; a failed test leaves a screenshot behind."""
    context = visitor_context(browser, web_url, visitor_address())
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    try:
        tab.goto("/")
        # Enabled once Reflex has hydrated the page (see form_view.submit_button).
        wait_until_hydrated(tab, "submit")
        yield tab
    finally:
        report = request.node.stash.get(_CALL_REPORT, None)
        if report is None or report.failed:
            _keep_screenshot(tab, request.node.nodeid)
        context.close()


def _keep_screenshot(tab: Page, nodeid: str) -> None:
    folder = OUTPUT_DIR / re.sub(r"[^A-Za-z0-9_.-]+", "-", nodeid).strip("-")
    folder.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=folder / "failure.png", full_page=True)


@pytest.fixture
def person() -> Person:
    """A fresh, valid identity."""
    body = unique_signup("ada-")
    return Person(body["username"], body["email"], body["password"])
