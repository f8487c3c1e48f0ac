"""What the rules report: one problem per field, with a stable code."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from contract import codes


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """A single problem with one field; `code` is stable API, `message` is for people."""

    field: str | None
    code: str
    message: str


class InvalidFields(Exception):
    """A request's fields broke one or more rules; every problem is reported together."""

    def __init__(self, problems: tuple[FieldProblem, ...]) -> None:
        super().__init__(", ".join(problem.code for problem in problems))
        self.problems = problems


class InvalidSignup(InvalidFields):
    """The sign-up request broke one or more rules."""


def unknown_fields(payload: Mapping[str, object], accepted: tuple[str, ...]) -> list[FieldProblem]:
    """A `field_unknown` problem for every field the request may not carry."""
    return [
        FieldProblem(name, codes.FIELD_UNKNOWN, "This field is not accepted.")
        for name in payload
        if name not in accepted
    ]


def presence_problem(name: str, payload: Mapping[str, object]) -> FieldProblem | None:
    """`<name>_required` when absent or null, `field_type` when not a string, else None."""
    value = payload.get(name)
    if value is None:
        return FieldProblem(name, codes.required(name), f"The {name} is required.")
    if not isinstance(value, str):
        return FieldProblem(name, codes.FIELD_TYPE, "This field must be a string.")
    return None
