"""Rate limits through the real handler on moto: counted per client and per identifier, before any
hash or mail, refused with 429 rate_limited and Retry-After, and what a limiter fault does."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse

from backend import hashing
from backend.client_address import client_address
from backend.handler import create_handler
from contract.headers import FORWARDED_ADDRESS, FORWARDED_SECRET
from contract.limits import RateLimit
from contract.routes import RESEND_VERIFICATION, VERIFY_EMAIL
from tests.support.events import api_event
from tests.support.faults import dynamodb_error
from tests.support.moto import REGION, MotoFunction, Reply, function_on_moto, function_settings
from tests.support.users import signup

WEB_SECRET = "web-server-secret-0123456789abcdef0123456789"


def clear_of_a_window_edge(window: int = 60, margin: float = 10.0) -> None:
    """Sleep into the next fixed window when this one has under `margin` seconds left.

    Limits count in windows aligned to multiples of their length (backend.store.counters.
    window), so a test whose requests straddle an edge would see its count start again
    (a slow CI run once met one). An hour's edges are minutes' edges too.
    """
    left = window - time.time() % window
    if left < margin:
        time.sleep(left + 0.05)


@pytest.fixture
def limited(monkeypatch: pytest.MonkeyPatch) -> Iterator[MotoFunction]:
    """The handler with 3 requests per address a minute and 2 attempts per identifier an hour."""
    clear_of_a_window_edge()
    settings = function_settings(
        rate_limit_per_address=RateLimit(3, 60),
        rate_limit_per_identifier=RateLimit(2, 3600),
        client_address_secret_value=WEB_SECRET,
    )
    with function_on_moto(monkeypatch, settings) as function:
        yield function


def assert_limited(reply: Reply, window: int) -> None:
    assert reply.status == 429, reply.text
    assert reply.codes == ["rate_limited"]
    assert reply.headers["content-type"] == "application/problem+json"
    assert 1 <= int(reply.headers["retry-after"]) <= window


def test_limit_per_address_refuses_the_request_after_the_limit(limited: MotoFunction) -> None:
    answers = [
        limited.invoke(api_event(signup(username=f"ada{i}", email=f"a{i}@example.com")))
        for i in range(4)
    ]
    assert [a.status for a in answers[:3]] == [200, 200, 200]
    assert_limited(answers[3], 60)
    assert len(limited.mails()) == 3  # the refused one mailed nobody
    assert not any("ada3" in key for key in limited.user_keys())  # and wrote nothing


def test_limit_per_address_counts_invalid_requests_and_every_route(limited: MotoFunction) -> None:
    limited.invoke(api_event(raw="{"))  # malformed JSON
    limited.invoke(api_event({"token": "short"}, path=VERIFY_EMAIL.path))
    limited.invoke(api_event({"email": "a@example.com"}, path=RESEND_VERIFICATION.path))
    assert_limited(limited.invoke(api_event(signup())), 60)
    assert limited.user_keys() == []


def test_limit_per_address_ignores_forwarded_for_headers(limited: MotoFunction) -> None:
    for number in range(3):
        limited.invoke(api_event(raw="{", headers={"x-forwarded-for": f"203.0.113.{number}"}))
    spoofed = api_event(
        signup(),
        headers={
            "content-type": "application/json",
            "x-forwarded-for": "198.51.100.7",
            "forwarded": "for=198.51.100.7",
            FORWARDED_ADDRESS: "198.51.100.7",
        },
    )
    assert_limited(limited.invoke(spoofed), 60)


def test_limit_per_address_counts_the_browser_the_web_server_vouches_for(
    limited: MotoFunction,
) -> None:
    def from_browser(address: str, secret: str = WEB_SECRET) -> dict[str, Any]:
        headers = {
            "content-type": "application/json",
            FORWARDED_ADDRESS: address,
            FORWARDED_SECRET: secret,
        }
        return api_event(raw="{", headers=headers, source_ip="10.0.0.5")  # the web server

    first = [limited.invoke(from_browser("198.51.100.1")) for _ in range(4)]
    assert_limited(first[-1], 60)
    # Another browser behind the same web server is not held back by the first.
    assert limited.invoke(from_browser("198.51.100.2")).status == 400
    # A wrong secret is ignored: the request counts for the web server's own address.
    for _ in range(3):
        limited.invoke(from_browser("198.51.100.3", secret="not-the-secret-" * 3))
    assert_limited(limited.invoke(from_browser("198.51.100.4", secret="guess" * 10)), 60)


def test_client_address_groups_ipv6_by_64_and_refuses_garbage() -> None:
    def event(source: str, **headers: str) -> dict[str, Any]:
        return {"requestContext": {"http": {"sourceIp": source}}, "headers": headers}

    one = client_address(event("2001:db8:1:2::1"), web_secret=None)
    other = client_address(event("2001:db8:1:2:ffff::9"), web_secret=None)
    assert one == other == "2001:db8:1:2::/64"
    assert client_address(event("192.0.2.1"), web_secret=None) == "192.0.2.1"
    vouched = event("10.0.0.5", **{FORWARDED_ADDRESS: "not an ip", FORWARDED_SECRET: "s" * 40})
    assert client_address(vouched, web_secret=b"s" * 40) == "10.0.0.5"


def test_limit_per_identifier_stops_before_the_hash(
    limited: MotoFunction, monkeypatch: pytest.MonkeyPatch
) -> None:
    hashes: list[int] = []
    real = hashing.bcrypt.hashpw
    monkeypatch.setattr(hashing.bcrypt, "hashpw", lambda *a: hashes.append(1) or real(*a))
    # Two attempts per address and client an hour, whatever the username.
    for name in ("ada.one", "ada.two", "ada.three"):
        reply = limited.invoke(api_event(signup(username=name), source_ip="203.0.113.1"))
    assert_limited(reply, 3600)
    assert len(hashes) == 2
    assert len(limited.mails("ada@example.com")) == 2


def test_limit_per_identifier_counts_usernames_too(limited: MotoFunction) -> None:
    for number in range(3):
        body = signup(username="Popular", email=f"p{number}@example.com")
        reply = limited.invoke(api_event(body, source_ip="203.0.113.1"))
    assert_limited(reply, 3600)


def test_limit_per_identifier_counts_resends(limited: MotoFunction) -> None:
    body = {"email": "ada@example.com"}
    for _ in range(3):
        event = api_event(body, path=RESEND_VERIFICATION.path, source_ip="203.0.113.1")
        reply = limited.invoke(event)
    assert_limited(reply, 3600)
    assert len(limited.outbox()) == 2  # the refused resend queued nothing


def test_limit_per_identifier_never_locks_out_another_client(limited: MotoFunction) -> None:
    # A stranger spends the address's and the username's attempts...
    stranger = "203.0.113.66"
    for _ in range(3):
        limited.invoke(
            api_event(
                {"email": "ada@example.com"}, path=RESEND_VERIFICATION.path, source_ip=stranger
            )
        )
        limited.invoke(
            api_event(signup(email="x@example.com", username="AdaL"), source_ip=stranger)
        )
    assert_limited(limited.invoke(api_event(signup(username="AdaL"), source_ip=stranger)), 3600)
    # ...and the owner, from her own address, signs up as if nothing happened.
    owner = limited.invoke(api_event(signup(username="Ada2"), source_ip="198.51.100.20"))
    assert owner.status == 200, owner.text


def test_limit_per_identifier_global_ceiling_stops_a_flood(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = function_settings(
        rate_limit_per_identifier=RateLimit(2, 3600),
        rate_limit_per_identifier_global=RateLimit(3, 3600),
    )
    body = {"email": "ada@example.com"}
    with function_on_moto(monkeypatch, settings) as function:
        answers = [
            function.invoke(
                api_event(body, path=RESEND_VERIFICATION.path, source_ip=f"203.0.113.{n}")
            )
            for n in range(4)
        ]
    assert [a.status for a in answers[:3]] == [202, 202, 202]
    assert_limited(answers[3], 3600)


def test_client_address_counts_ipv4_mapped_ipv6_as_ipv4() -> None:
    event = {"requestContext": {"http": {"sourceIp": "::ffff:192.0.2.7"}}, "headers": {}}
    assert client_address(event, web_secret=None) == "192.0.2.7"
    other = {"requestContext": {"http": {"sourceIp": "::ffff:192.0.2.8"}}, "headers": {}}
    assert client_address(other, web_secret=None) == "192.0.2.8"


def _failing_counters(scope: str) -> boto3.session.Session:
    """A session whose UpdateItem on `scope` counters is throttled (every attempt)."""

    def before_send(request: AWSPreparedRequest, **_: object) -> AWSResponse | None:
        if f'"RATE#{scope}#' not in (request.body or b"").decode():
            return None
        request.url = "http://127.0.0.1:9/"
        return dynamodb_error("ThrottlingException")

    session = boto3.session.Session(region_name=REGION)
    session.events.register_first("before-send.dynamodb.UpdateItem", before_send)
    return session


def test_limiter_fault_on_the_address_counter_fails_open(function: MotoFunction) -> None:
    settings = function_settings()
    handler = create_handler(lambda: settings, session=_failing_counters("address"))
    reply = MotoFunction(handler, function.dynamodb).invoke(api_event(signup()))
    assert reply.status == 200, reply.text


def test_limiter_fault_on_an_identifier_counter_fails_closed(function: MotoFunction) -> None:
    settings = function_settings()
    handler = create_handler(lambda: settings, session=_failing_counters("email"))
    watched = MotoFunction(handler, function.dynamodb)
    reply = watched.invoke(api_event(signup()))
    assert (reply.status, reply.codes) == (503, ["store_unavailable"])
    assert reply.headers["retry-after"] == "1"
    assert watched.user_keys() == [] and watched.outbox() == []


def test_client_address_accepts_old_and_new_secret_while_it_rotates() -> None:
    new, old = "n" * 40, "o" * 40
    rotating = f"{new}\n{old}".encode()

    def from_web_server(secret: str) -> dict[str, Any]:
        headers = {FORWARDED_ADDRESS: "198.51.100.7", FORWARDED_SECRET: secret}
        return {"requestContext": {"http": {"sourceIp": "10.0.0.1"}}, "headers": headers}

    for offered in (new, old):
        assert client_address(from_web_server(offered), web_secret=rotating) == "198.51.100.7"
    # Neither another value nor the list itself vouches for anything.
    for offered in ("x" * 40, rotating.decode(), ""):
        assert client_address(from_web_server(offered), web_secret=rotating) == "10.0.0.1"
