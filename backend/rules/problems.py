"""What the rules report: one problem per field, with a stable code."""

from __future__ import annotations

from dataclasses import dataclass

from backend.errors import RegistrationError


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """A single problem with one field; `code` is stable API, `message` is for people."""

    field: str | None
    code: str
    message: str


class InvalidSignup(RegistrationError):
    """The sign-up request broke one or more rules; every problem is reported together."""

    def __init__(self, problems: tuple[FieldProblem, ...]) -> None:
        super().__init__(", ".join(problem.code for problem in problems))
        self.problems = problems
