"""`make preflight STACK=<stack>`: what the account and the stack file still lack, read only.

`python -m infra.preflight Pulumi.<stack>.yaml` reads the committed stack file
(stack.py) and the account with the standard AWS credential, region and
endpoint variables (account.py; so it runs against a moto server too). It
prints one line per gap with the command that closes it, exits 0 when the
stage is ready to deploy and 1 otherwise, and never writes: every client it
builds refuses any operation that is not a Get, List or Describe.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One thing the stage lacks (`blocking`), or should know, and what to run about it."""

    subject: str
    problem: str
    fix: str
    blocking: bool = True

    def line(self) -> str:
        """The finding as the one line the command prints."""
        kind = "GAP " if self.blocking else "note"
        return f"{kind} {self.subject}: {self.problem}. Fix: {self.fix}"
