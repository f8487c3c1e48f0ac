"""Typed, range-checked reads of a stack's values: the one reader the whole schema uses.

`Reader` reads from any `StackValues` (the Pulumi CLI's strings, a committed
stack file's YAML values, or one nested object of either, such as `web`) and
refuses a value by naming its key: `bcryptCost: 3 is outside 10..14`, or
`web.cpu: 300 is not one of [...]` inside a `Section`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Protocol, TypeVar

_T = TypeVar("_T")


class StageConfigError(ValueError):
    """A stack is missing a policy key or has one with an unusable value."""


class StackValues(Protocol):
    """Where a stage's raw settings come from."""

    def get(self, key: str, kind: type[_T]) -> _T | None:
        """The value of `signup:<key>` as `kind`, None when unset; raise if it is not one."""


def check(ok: bool, key: str, message: str) -> None:
    """Refuse with `key: message` unless `ok`."""
    if not ok:
        raise StageConfigError(f"{key}: {message}")


def strictly(key: str, value: Any, kind: type[_T]) -> _T | None:
    """`value` when it is exactly a `kind` (YAML's true is a bool, and bool is an int)."""
    if value is not None and type(value) is not kind:
        raise StageConfigError(f"{key}: {type(value).__name__} is not {kind.__name__}")
    return value


class Section:
    """One nested object of a stack (e.g. `web`), read with YAML's types held strictly."""

    def __init__(self, values: Mapping[str, Any], name: str) -> None:
        self.values = values
        self.name = name

    def get(self, key: str, kind: type[_T]) -> _T | None:
        """The sub-key's value, exactly of `kind`."""
        return strictly(f"{self.name}.{key}", self.values.get(key), kind)


class Reader:
    """Typed, range-checked reads; every refusal names its key (with `prefix`, its section)."""

    def __init__(self, values: StackValues, prefix: str = "") -> None:
        self._values = values
        self._prefix = prefix

    def check(self, ok: bool, key: str, message: str) -> None:
        """Refuse with this reader's name for `key` unless `ok`."""
        check(ok, f"{self._prefix}{key}", message)

    def read(self, key: str, kind: type[_T]) -> _T | None:
        """The value as `kind`, or None when unset."""
        try:
            return self._values.get(key, kind)
        except StageConfigError:
            raise
        except Exception as exc:  # pulumi raises several types; all mean "bad key"
            raise StageConfigError(f"{self._prefix}{key}: {exc}") from exc

    def require(self, key: str, kind: type[_T]) -> _T:
        """The value as `kind`; refused when unset."""
        value = self.read(key, kind)
        if value is None:
            raise StageConfigError(f"{self._prefix}{key}: is required")
        return value

    def optional_integer(self, key: str, low: int, high: int) -> int | None:
        """A whole number in low..high, or None when unset."""
        value = self.read(key, int)
        self.check(value is None or low <= value <= high, key, f"{value} is outside {low}..{high}")
        return value

    def integer(self, key: str, low: int, high: int) -> int:
        """A whole number in low..high."""
        value = self.require(key, int)
        self.check(low <= value <= high, key, f"{value} is outside {low}..{high}")
        return value

    def flag(self, key: str) -> bool:
        """A YAML boolean."""
        return self.require(key, bool)

    def choice(self, key: str, allowed: frozenset[str]) -> str:
        """One of `allowed`."""
        value = self.require(key, str)
        self.check(value in allowed, key, f"{value!r} is not one of {sorted(allowed)}")
        return value

    def strings(self, key: str, value: list[Any]) -> tuple[str, ...]:
        """`value`, a list, as strings only."""
        self.check(all(isinstance(item, str) for item in value), key, "must be a list of strings")
        return tuple(value)

    def pattern(self, key: str, pattern: re.Pattern[str], message: str) -> str | None:
        """A string matching `pattern`, or None when unset."""
        text = self.read(key, str)
        self.check(text is None or bool(pattern.match(text)), key, f"{text!r} {message}")
        return text
