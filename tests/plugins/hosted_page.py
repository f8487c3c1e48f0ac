"""The hosted page's shape on this machine, one of each for the package, all stopped at its end.

A local stage for the API; the page exported exactly as `pulumi up` exports
it; the static files, `reflex run --env prod --backend-only` and nginx in
front (tests/support/hosted_page.py); and a Chromium that resolves the page's
hostname, port 443, to that nginx, so the page runs at https://signup.test/
as it runs at its CloudFront URL. Every process is stopped at teardown, also
after a failure.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Playwright

from contract.rules import DEFAULT_MIN_LENGTH
from infra.build.page_export import StaticSite, build_site
from infra.local.secrets import CLIENT_ADDRESS_SECRET_FILE, load_or_create_secret
from infra.local.stage import REPO_ROOT
from infra.local.supervisor import Supervisor
from tests.support import hosted_page as hosted
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.stage import suite_stage
from tests.support.stage_process import LocalStageProcess

# The local stage's default minimum (it sets none), so page, backend and API agree.
MIN_LENGTH = DEFAULT_MIN_LENGTH


@pytest.fixture(scope="package")
def hosted_stage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStageProcess]:
    """The API the hosted page calls (the stage's apiUrl on AWS)."""
    stage = suite_stage(tmp_path_factory.mktemp("hosted-stage") / "data")
    try:
        stage.start()
        yield stage
    finally:
        stage.stop()


@pytest.fixture(scope="package")
def site() -> StaticSite:
    """The export `pulumi up` would upload for a stage with this password minimum."""
    return build_site(source_root=REPO_ROOT, password_min_length=MIN_LENGTH)


@pytest.fixture(scope="package")
def hosted_page(
    hosted_stage: LocalStageProcess, site: StaticSite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[hosted.HostedPage]:
    """Static files + backend-only + nginx, on 127.0.0.1; stopped at the package's end."""
    supervisor = Supervisor(grace_seconds=10)
    try:
        yield hosted.start(
            supervisor,
            site=site,
            api_url=hosted_stage.api_url,
            password_min_length=MIN_LENGTH,
            work_dir=tmp_path_factory.mktemp("hosted"),
            client_address_secret=load_or_create_secret(
                hosted_stage.data_dir, CLIENT_ADDRESS_SECRET_FILE
            ),
        )
    finally:
        supervisor.stop()


@pytest.fixture(scope="module")
def hosted_browser(hosted_page: hosted.HostedPage, playwright: Playwright) -> Iterator[Browser]:
    """Chromium sending https://<hostname>/ (port 443) to the local nginx, and nothing elsewhere."""
    rules = f"MAP {hosted_page.hostname}:443 127.0.0.1:{hosted_page.proxy_port}, MAP * ~NOTFOUND"
    args = [*CHROMIUM_ARGS, f"--host-resolver-rules={rules}", "--ignore-certificate-errors"]
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
    try:
        yield chromium
    finally:
        chromium.close()
