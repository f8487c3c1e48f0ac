"""Each shared fact has one home: contract/. The deployables read it, never spell it."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest

from contract import codes, environment

ROOT: Final = Path(__file__).resolve().parents[3]
DEPLOYABLES: Final = ("backend", "infra", "web", "bench")
ENVIRONMENT_NAMES: Final = {
    value for name, value in vars(environment).items() if name.isupper() and name != "REFLEX_PREFIX"
}
ERROR_CODES: Final = {value for name, value in vars(codes).items() if name.isupper()}


def _modules(*folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from (p for p in (ROOT / folder).rglob("*.py") if ".web" not in p.parts)
    yield ROOT / "__main__.py"


def _string_literals(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text("utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if is_text and id(node) not in docstrings:
            yield node.lineno, node.value


def test_no_environment_name_or_error_code_is_spelled_outside_contract() -> None:
    spelled = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path in _modules(*DEPLOYABLES)
        for line, text in _string_literals(path)
        if text in ENVIRONMENT_NAMES or text in ERROR_CODES
    ]
    assert spelled == []


def _imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


@pytest.mark.parametrize("folder", ["web", "contract"])
def test_the_page_and_the_contract_never_import_the_lambda_package(folder: str) -> None:
    reaching = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / folder).rglob("*.py")
        if ".web" not in path.parts
        for name in _imports(path)
        if name == "backend" or name.startswith("backend.")
    ]
    assert reaching == []


def test_contract_imports_nothing_of_aws_or_the_deployables() -> None:
    forbidden = ("boto3", "botocore", "pulumi", "pulumi_aws", "aws_lambda_powertools", "reflex")
    forbidden += ("backend", "infra", "signup_web", "bench")
    reaching = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / "contract").rglob("*.py")
        for name in _imports(path)
        if name.split(".")[0] in forbidden
    ]
    assert reaching == []
