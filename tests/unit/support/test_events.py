"""The one event builder (infra/local/events.py) against AWS's own payload-2.0 sample."""

from __future__ import annotations

import json

from infra.local.events import HttpRequest, build_event
from tests.support.events import sample_event


def test_build_event_matches_the_aws_sample_for_the_same_request() -> None:
    sample = sample_event()
    context = sample["requestContext"]
    request = HttpRequest(
        method=context["http"]["method"],
        target=sample["rawPath"],
        headers=tuple(sample["headers"].items()),
        body=sample["body"].encode(),
        source_ip=context["http"]["sourceIp"],
    )
    built = build_event(
        request,
        route_key=sample["routeKey"],
        request_id=context["requestId"],
        api_id=context["apiId"],
        account_id=context["accountId"],
        now=context["timeEpoch"] / 1000,
    )
    assert json.dumps(built, sort_keys=True) == json.dumps(sample, sort_keys=True)
