"""CLI: `python -m infra.preflight Pulumi.<stack>.yaml` (what `make preflight STACK=...` runs)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import boto3

from infra.preflight import Finding
from infra.preflight.account import Account, account_findings, refuse_writes
from infra.preflight.stack import stack_findings
from infra.stack.reading import StageConfigError
from infra.stack.schema import read_stack_file


def main(argv: list[str]) -> int:
    """Print one line per finding; 0 when nothing blocks the deploy, 1 otherwise."""
    if len(argv) != 1:
        print("usage: python -m infra.preflight Pulumi.<stack>.yaml", file=sys.stderr)  # noqa: T201
        return 2
    path = Path(argv[0])
    try:
        stage = read_stack_file(path)
    except (OSError, StageConfigError) as exc:
        findings = [Finding(path.name, str(exc), f"correct {path.name}")]
    else:
        findings = [*stack_findings(path, stage), *account_findings(_account(path), stage)]
    for finding in findings:
        print(finding.line())  # noqa: T201 - the output is the point
    gaps = sum(finding.blocking for finding in findings)
    print(f"{path.name}: {'ready' if not gaps else f'{gaps} gap(s) before a deploy'}")  # noqa: T201
    return 1 if gaps else 0


def _account(path: Path) -> Account:
    # The standard variables (credentials, AWS_ENDPOINT_URL) are boto3's own;
    # the region falls back to the stack's aws:region.
    from infra.stack.schema import StackFile  # noqa: PLC0415 - only the region is wanted here

    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    session = boto3.Session(region_name=region or StackFile(path).region)
    clients = {name: refuse_writes(session.client(name)) for name in ("sts", "sesv2", "iam")}
    return Account(lambda_=refuse_writes(session.client("lambda")), **clients)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
