"""The web UI against the session API's stand-in (api.py) instead of a local stage.

Collected before the stage-backed tests of tests/browser (this folder sorts
first), so the two web UIs never run at once; `page`, `browser` and the axe
helper come from tests/plugins/browser.py unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from infra.local import web
from infra.local.stage import free_port
from infra.local.supervisor import Supervisor
from tests.browser.stand_in.api import StandIn, serving


@pytest.fixture(scope="package")
def stand_in() -> StandIn:
    """The stand-in's memory: what it issued and what it was asked."""
    return StandIn()


@pytest.fixture(scope="package")
def web_url(stand_in: StandIn, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The web UI (`reflex run`), pointed at the stand-in."""
    supervisor = Supervisor(grace_seconds=10)
    log_file = tmp_path_factory.mktemp("web-stand-in") / "web.log"
    with serving(stand_in) as api_url:
        try:
            yield web.start(
                supervisor, api_url=api_url, port=free_port(), log_file=log_file, env=os.environ
            )
        finally:
            supervisor.stop()


@pytest.fixture(autouse=True)
def fresh(stand_in: StandIn) -> Iterator[StandIn]:
    """Each test starts with the stand-in's default user and nothing asked."""
    yield stand_in
    user = StandIn().user
    with stand_in.lock:
        stand_in.user, stand_in.asked = user, []
