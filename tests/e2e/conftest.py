"""Browser tests: Debian's Chromium drives the web UI against a local stage; all started here.

One local stage, one web UI and one browser for this package (the first
Reflex build is the slow part), all stopped as soon as its last test ends:
Playwright's sync API holds an event loop in the main thread while it runs,
which later suites calling asyncio.run() must not see. The stage listens on a
fixed free port so a test can stop it and bring it back at the same URL.
Every process is stopped at teardown, also on failure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from infra.local import web
from infra.local.process import LocalStageProcess
from infra.local.stage import REPO_ROOT, free_port
from infra.local.supervisor import Supervisor
from tests.e2e.helpers import Person
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, PHONE
from tests.support.stage import suite_stage
from tests.support.users import unique_signup

OUTPUT_DIR = REPO_ROOT / "test-results"
_CALL_REPORT = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    """Keep the test body's report so the `page` fixture knows whether to take a screenshot."""
    report: pytest.TestReport = yield
    if report.when == "call":
        item.stash[_CALL_REPORT] = report
    return report


@pytest.fixture(scope="package")
def e2e_stage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStageProcess]:
    """A local stage on a fixed port, so stopping and restarting it keeps its URL and data."""
    stage = suite_stage(
        tmp_path_factory.mktemp("e2e-stage") / "data", args=("--api-port", str(free_port()))
    )
    try:
        stage.start()
        yield stage
    finally:
        stage.stop()


@pytest.fixture(scope="package")
def web_url(
    e2e_stage: LocalStageProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The web UI (`reflex run`), pointed at the e2e stage; its log is kept in the session's tmp."""
    supervisor = Supervisor(grace_seconds=10)
    log_file = tmp_path_factory.mktemp("web") / "web.log"
    try:
        yield web.start(supervisor, api_url=e2e_stage.api_url, port=free_port(), log_file=log_file)
    finally:
        supervisor.stop()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Debian's Chromium (`make test` installs it); Playwright's own browsers are not downloaded."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser, web_url: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    """The sign-up page at 375 px, live; a failing test leaves a screenshot in test-results/."""
    context = browser.new_context(viewport=PHONE, base_url=web_url)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    try:
        tab.goto("/")
        # Enabled once Reflex has hydrated the page (see components._cannot_submit).
        tab.locator("#submit:not([disabled])").wait_for()
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
