"""Fixtures for the backend's unit and handler tests: the function on moto and its log lines."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from contract.routes import SERVICE_NAME
from tests.support.moto import MotoFunction, Reply, function_on_moto


@pytest.fixture
def function(monkeypatch: pytest.MonkeyPatch) -> Iterator[MotoFunction]:
    """The real handler over a fresh moto users table, for one test."""
    with function_on_moto(monkeypatch) as moto_function:
        yield moto_function


@pytest.fixture
def dynamodb(function: MotoFunction) -> Any:
    """The moto DynamoDB client holding the users table."""
    return function.dynamodb


@pytest.fixture
def invoke(function: MotoFunction) -> Any:
    """Call the real Lambda handler with an event and decode its answer."""

    def call(event: dict[str, Any]) -> Reply:
        return function.invoke(event)

    return call


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        handlers = logging.getLogger(SERVICE_NAME).handlers
        formatter = handlers[0].formatter if handlers else None
        self.lines.append((formatter or logging.Formatter()).format(record))


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    """The function's log lines (Powertools JSON) of this test, formatted as it prints them."""
    recorder = _Recorder()
    logger = logging.getLogger(SERVICE_NAME)  # Powertools' logger does not propagate
    logger.addHandler(recorder)
    yield recorder.lines
    logger.removeHandler(recorder)
