"""Helpers for full-path tests: registration bodies and a view of the table."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from infra.local import dynamodb_local
from tests.plugins.local_stage import LocalStageProcess

TABLE = "users"


def user(tag: str | None = None, **overrides: str) -> dict[str, str]:
    """A valid registration, unique unless fields are overridden."""
    tag = tag or uuid.uuid4().hex[:12]
    body = {
        "username": f"it-{tag}",
        "email": f"it-{tag}@example.com",
        "password": f"correct horse battery staple {tag}",
    }
    return {**body, **overrides}


def table_items(stage: LocalStageProcess) -> dict[str, dict[str, Any]]:
    """Every item in the users table, by partition key (DynamoDB Local is small)."""
    ddb = dynamodb_local.client(stage.dynamodb_endpoint, "us-east-1")
    items: dict[str, dict[str, Any]] = {}
    for page in ddb.get_paginator("scan").paginate(TableName=TABLE, ConsistentRead=True):
        for item in page["Items"]:
            items[item["pk"]["S"]] = item
    return items


def post_all_at_once(url: str, bodies: list[dict[str, str]]) -> list[httpx.Response]:
    """POST every body concurrently, all released by one barrier to maximise the race."""
    barrier = threading.Barrier(len(bodies))

    def send(body: dict[str, str]) -> httpx.Response:
        with httpx.Client(timeout=60.0) as client:
            barrier.wait()
            return client.post(f"{url}/createUser", json=body)

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(send, bodies))
