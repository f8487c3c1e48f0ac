"""docs/openapi.yaml is valid OpenAPI 3.1, loads in schemathesis, and lists every backend code."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

from contract import codes
from contract.routes import ROUTES
from contract.rules import SIGNUP_FIELDS
from contract.rules.link_requests import RESEND_FIELDS, TOKEN_FIELDS
from contract.rules.session import REFRESH_FIELDS, SIGN_IN_FIELDS
from tests.support.openapi import DOCUMENT, conformance_problems, document, validate_instance

pytestmark = pytest.mark.hardening

_ROOT = Path(__file__).resolve().parents[3]
SOURCES = (_ROOT / "backend", _ROOT / "contract")
# Every field some route accepts: `<field>_required` exists for each.
REQUEST_FIELDS = (*SIGNUP_FIELDS, *TOKEN_FIELDS, *RESEND_FIELDS, *SIGN_IN_FIELDS, *REFRESH_FIELDS)
# Routing answers of the function; API Gateway answers them first on every
# stage (it has only the routes of contract.routes), so the document leaves them out.
ROUTING_CODES = {"route_not_found", "method_not_allowed"}


def test_openapi_document_is_valid_openapi_3_1() -> None:
    doc = document()
    assert doc["openapi"].startswith("3.1.")
    errors = [f"{e.instance_path}: {e.message}" for e in OPENAPI_31_VALIDATOR.iter_errors(doc)]
    assert errors == []


def test_openapi_schemas_are_valid_json_schema_2020_12() -> None:
    for name, schema in document()["components"]["schemas"].items():
        assert jsonschema_rs.meta.is_valid(
            {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
        ), name


def test_openapi_loads_in_schemathesis() -> None:
    schema = schemathesis.openapi.from_path(str(DOCUMENT))
    operations = [result.ok() for result in schema.get_all_operations()]
    documented = sorted((op.method.upper(), op.path) for op in operations)
    assert documented == sorted((route.method, route.path) for route in ROUTES)


def test_openapi_request_example_is_a_valid_request() -> None:
    operation = document()["paths"]["/createUser"]["post"]
    example = operation["requestBody"]["content"]["application/json"]["example"]
    assert validate_instance(example, "components", "schemas", "SignupRequest") == []


def _documented_codes() -> set[str]:
    codes: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            code = node.get("properties", {}).get("code", {})
            codes.update(code.get("enum", []))
            if "const" in code:
                codes.add(code["const"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document()["components"]["schemas"])
    return codes


def _backend_codes() -> set[str]:
    """Every code the backend and the rules answer with: each `codes.NAME` they use, and
    `codes.required(field)` for each request field."""
    used: set[str] = set()
    for root in SOURCES:
        for source in root.rglob("*.py"):
            if source.name == "codes.py":
                continue
            for node in ast.walk(ast.parse(source.read_text("utf-8"))):
                if (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "codes"
                ):
                    used.add(node.attr)
    found = {getattr(codes, name) for name in used if name.isupper()}
    if "required" in used:
        found.update(codes.required(field) for field in REQUEST_FIELDS)
    return found


def test_openapi_lists_exactly_the_codes_the_backend_answers() -> None:
    assert _backend_codes() - ROUTING_CODES == _documented_codes()


def test_conformance_checker_catches_drift() -> None:
    headers = {"content-type": "application/problem+json", "x-request-id": "r"}
    body = (
        '{"type":"urn:signup:problem:invalid-request","title":"Invalid request","status":400,'
        '"detail":"The request broke one or more rules; see errors.","requestId":"r",'
        '"errors":[{"field":null,"code":"%s","message":"m"}]}'
    )
    assert conformance_problems(400, headers, body % "body_required") == []
    assert conformance_problems(400, headers, body % "made_up_code") != []
    assert conformance_problems(400, {"content-type": "application/problem+json"}, body % "") != []
    assert conformance_problems(418, headers, "{}") == ["status 418 is not documented"]
    assert conformance_problems(400, {"content-type": "text/html"}, "<p>") != []
