"""The OpenAPI document (docs/openapi.yaml) as a checker of real answers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml

from contract.routes import CREATE_USER

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"


@cache
def document() -> dict[str, Any]:
    """The parsed document (read once per session)."""
    loaded: dict[str, Any] = yaml.safe_load(DOCUMENT.read_text("utf-8"))
    return loaded


def _pointer(*parts: str) -> str:
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


@cache
def _validator(pointer: str) -> jsonschema_rs.Validator:
    # The whole document is the root resource, so its internal $refs resolve;
    # the OpenAPI keywords around the schemas are unknown to JSON Schema and ignored.
    root = {**document(), "$schema": "https://json-schema.org/draft/2020-12/schema"}
    return jsonschema_rs.Draft202012Validator({**root, "$ref": pointer}, validate_formats=True)


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if not ref:
        return node
    target: Any = document()
    for part in ref.removeprefix("#/").split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    return dict(target)


def validate_instance(instance: object, *parts: str) -> list[str]:
    """Why `instance` does not match the schema at `parts` of the document (empty: it does)."""
    return [error.message for error in _validator(_pointer(*parts)).iter_errors(instance)]


def conformance_problems(
    status: int,
    headers: Mapping[str, str],
    body: bytes | str,
    path: str = CREATE_USER.path,
    method: str = CREATE_USER.method,
) -> list[str]:
    """Every way an answer of `method path` differs from the document (empty: conforms)."""
    responses = document()["paths"][path][method.lower()]["responses"]
    raw_spec = responses.get(str(status))
    if raw_spec is None:
        return [f"status {status} is not documented"]
    spec = _resolve(raw_spec)
    base: tuple[str, ...] = ("paths", path, method.lower(), "responses", str(status))
    if "$ref" in raw_spec:
        base = tuple(raw_spec["$ref"].removeprefix("#/").split("/"))
    lowered = {name.lower(): value for name, value in headers.items()}
    media = lowered.get("content-type", "").split(";")[0].strip().lower()
    if media not in spec.get("content", {}):
        return [f"{status} answered with undocumented content type {media!r}"]
    try:
        parsed = json.loads(body)
    except ValueError:
        return [f"{status} body is not JSON"]
    pointer = (*base, "content", media, "schema")
    problems = [f"{status} body: {message}" for message in validate_instance(parsed, *pointer)]
    for name, raw in spec.get("headers", {}).items():
        header = _resolve(raw)
        value = lowered.get(name.lower())
        if value is None:
            if header.get("required"):
                problems.append(f"{status} lacks required header {name}")
            continue
        header_pointer = (*base, "headers", name)
        if "$ref" in raw:
            header_pointer = tuple(raw["$ref"].removeprefix("#/").split("/"))
        for message in validate_instance(value, *header_pointer, "schema"):
            problems.append(f"{status} header {name}: {message}")
    return problems
