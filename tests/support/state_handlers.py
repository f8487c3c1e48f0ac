"""Driving state handlers as Reflex would: run them to the end, keep what they yielded."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any, TypeVar

import reflex as rx
from reflex.event import EventSpec

_FOCUSED = re.compile(r'getElementById\("([^"]+)"\)')
StateT = TypeVar("StateT", bound=rx.State)


def substate(root: rx.State, kind: type[StateT]) -> StateT:
    """The instance of `kind` in the tab's state tree."""
    found = root.get_substate(kind.get_full_name().split("."))
    assert isinstance(found, kind)
    return found


def run(events: AsyncIterator[Any], each: Callable[[], object] | None = None) -> list[Any]:
    """Run an async handler to its end; return what it yielded (or `each()` at every yield)."""

    async def drain() -> list[Any]:
        return [each() if each else event async for event in events]

    return asyncio.run(drain())


def focused(events: Iterable[Any]) -> list[str]:
    """The ids the events move keyboard focus to, in order."""
    ids = []
    for event in events:
        if isinstance(event, EventSpec):
            scripts = [getattr(value, "_var_value", None) for _, value in event.args]
            ids += [found for s in scripts if isinstance(s, str) for found in _FOCUSED.findall(s)]
    return ids


def redirected(events: Iterable[Any]) -> list[str]:
    """The paths the events send the browser to (rx.redirect), in order."""
    paths = []
    for event in events:
        if isinstance(event, EventSpec) and event.handler.fn.__qualname__ == "_redirect":
            args = {name._js_expr: value for name, value in event.args}
            paths.append(str(args["path"]._var_value))
    return paths


def sent_to_browser(root: rx.State) -> str:
    """Everything of the tab's state a browser can be sent: every var, computed ones included."""
    return repr(root.dict())
