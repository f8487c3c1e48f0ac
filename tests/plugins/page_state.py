"""Fixtures for the web app's tests: a state tree as Reflex builds one per tab, a fake API."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import reflex as rx

from signup_web import services
from signup_web.api import Retries, SignupApi
from tests.support.fake_api import FakeApi

# The client's own retries, without the waits between them.
NO_PAUSES = Retries(pause=0, longest_pause=0)


@pytest.fixture
def root_state() -> rx.State:
    """A fresh root state with every page's substate, as Reflex creates one per browser tab."""
    return rx.State(_reflex_internal_init=True)


@pytest.fixture
def use_api(monkeypatch: pytest.MonkeyPatch) -> Callable[[FakeApi], FakeApi]:
    """Point every state's client at a fake API."""

    def use(api: FakeApi) -> FakeApi:
        client = SignupApi("http://api.test", transport=api.transport, retries=NO_PAUSES)
        monkeypatch.setattr(services, "SIGNUP_API", client)
        return api

    return use
