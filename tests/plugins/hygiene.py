"""Secret hygiene for the whole test session, registered by the root conftest as a plugin.

Every test, in every suite, fails when one of these holds a test password, the
pepper, a password hash, or a verification token (each token the backend makes,
in this process, is registered the moment `contract.tokens.new_token` returns it):
- a log record (any logger, any level that was emitted, with its traceback);
- captured stdout or stderr (Powertools writes its JSON lines there);
- a response the backend builds (`backend.responses._response`, watched with
  `sys.monitoring`, so responses served in-process by the local stage count);
- the message of an exception raised outside the test code (the backend, its
  libraries, the local stage), caught or not.

Failure messages name the kind of secret and where it was seen, never the secret.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import CodeType
from typing import Any

import pytest

from contract.tokens import new_token
from tests.support.secrets import HASH_PATTERN, PASSWORDS, PEPPER

_TESTS_DIR = str(Path(__file__).resolve().parents[1])
# Exceptions raised by the test runner itself (assertion rewriting shows the
# compared values on purpose) are not the code under test.
_RUNNER_PARTS = ("/_pytest/", "/pluggy/", "/pytest/")
_TOKEN_CODE = new_token.__code__
_secrets: dict[str, str] = {PEPPER: "the pepper"} | {p: "a test password" for p in PASSWORDS}


def register_secret(value: str, kind: str = "a test password") -> None:
    """Add a value (a password a test sends, a stage's pepper) to what must never leak."""
    if value:
        _secrets.setdefault(value, kind)


def secret_kinds(text: str) -> list[str]:
    """What kinds of secret `text` holds (empty when clean); never the secrets themselves."""
    kinds = [kind for value, kind in list(_secrets.items()) if value in text]
    if HASH_PATTERN.search(text):
        kinds.append("a password hash")
    return sorted(set(kinds))


def assert_clean(texts: Iterable[str], where: str) -> None:
    """Fail when any text holds a registered secret or a hash; the message names only kinds."""
    for text in texts:
        kinds = secret_kinds(text)
        assert not kinds, f"{', '.join(kinds)} reached {where}"


class _Watcher(logging.Handler):
    """Collects findings from log records, responses and exceptions for the current test."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.findings: list[str] = []
        self._lock = threading.Lock()
        self._busy = threading.local()

    def note(self, text: str, where: str) -> None:
        kinds = secret_kinds(text)
        if kinds:
            with self._lock:
                self.findings.append(f"{', '.join(kinds)} reached {where}")

    def emit(self, record: logging.LogRecord) -> None:
        # format() adds the traceback of exc_info, which a leak could hide in.
        text = logging.Formatter().format(record)
        self.note(f"{text} {record.__dict__}", f"a log record of {record.name!r}")

    def on_raise(self, code: CodeType, offset: int, exc: BaseException) -> None:
        filename = code.co_filename
        if filename.startswith(_TESTS_DIR) or any(p in filename for p in _RUNNER_PARTS):
            return
        if getattr(self._busy, "on", False):  # str() of an exception may raise in turn
            return
        self._busy.on = True
        try:
            message = str(exc)
        except Exception:  # noqa: BLE001 - an unprintable message holds nothing to leak
            message = ""
        finally:
            self._busy.on = False
        self.note(message, f"the message of a {type(exc).__name__} raised in {filename}")

    def on_response(self, code: CodeType, offset: int, value: object) -> None:
        if code is _TOKEN_CODE:
            # Every verification token the backend makes becomes a secret at
            # once: only the mail may ever carry it.
            register_secret(str(value), "a verification token")
            return
        self.note(repr(value), "a response built by the backend")


def _free_tool_id() -> int | None:
    for tool in range(6):
        if sys.monitoring.get_tool(tool) is None:
            return tool
    return None


@pytest.fixture(scope="session")
def _hygiene_watcher() -> Iterator[_Watcher]:
    """One watcher for the session: a log handler plus sys.monitoring callbacks."""
    from backend import responses  # imported late: the backend reads no env at import

    watcher = _Watcher()
    loggers = [logging.getLogger(), logging.getLogger("signup")]  # Powertools does not propagate
    for logger in loggers:
        logger.addHandler(watcher)
    monitoring = sys.monitoring
    tool = _free_tool_id()
    if tool is not None:
        events = monitoring.events
        monitoring.use_tool_id(tool, "secret-hygiene")
        monitoring.register_callback(tool, events.RAISE, watcher.on_raise)
        monitoring.register_callback(tool, events.PY_RETURN, watcher.on_response)
        monitoring.set_events(tool, events.RAISE)
        monitoring.set_local_events(tool, responses._response.__code__, events.PY_RETURN)
        monitoring.set_local_events(tool, _TOKEN_CODE, events.PY_RETURN)
    yield watcher
    for logger in loggers:
        logger.removeHandler(watcher)
    if tool is not None:
        monitoring.set_events(tool, 0)
        monitoring.set_local_events(tool, responses._response.__code__, 0)
        monitoring.set_local_events(tool, _TOKEN_CODE, 0)
        monitoring.free_tool_id(tool)


@pytest.fixture(autouse=True)
def secret_hygiene(_hygiene_watcher: _Watcher) -> Iterator[list[str]]:
    """The findings of this test; a test that provokes a leak on purpose clears them.

    Not cleared at setup: what a module or session fixture leaked while being
    set up for this test is reported by this test.
    """
    findings = _hygiene_watcher.findings
    yield findings
    leaks, findings[:] = list(findings), []
    assert not leaks, "secret hygiene: " + "; ".join(sorted(set(leaks)))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    """Fail a test phase whose captured stdout, stderr or log sections hold a secret."""
    report = yield
    leaks = {
        f"{kind} reached the captured {title!r}"
        for title, content in report.sections
        if title.endswith(report.when)  # sections accumulate over setup, call, teardown
        for kind in secret_kinds(content)
    }
    if leaks and report.passed:
        report.outcome = "failed"
        report.longrepr = "secret hygiene: " + "; ".join(sorted(leaks))
    return report
