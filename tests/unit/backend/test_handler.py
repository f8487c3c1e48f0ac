"""The Lambda handler end to end against moto: success, every 4xx, conflicts, and the log line."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from backend.hashing import PasswordHasher
from tests.support.events import api_event, sample_event
from tests.support.moto import MotoFunction, Reply, function_on_moto, function_settings
from tests.support.secrets import PASSWORDS, PEPPER
from tests.support.users import signup

Invoke = Callable[[dict[str, Any]], Reply]


def assert_problem(reply: Reply, status: int, codes: list[str], event: dict[str, Any]) -> None:
    """A problem+json answer with this status and these codes, carrying the request id."""
    assert reply.status == status, reply.text
    assert reply.codes == codes
    assert reply.headers["content-type"] == "application/problem+json"
    request_id = event["requestContext"]["requestId"]
    assert reply.headers["x-request-id"] == reply.body["requestId"] == request_id
    assert set(reply.body) == {"type", "title", "status", "detail", "requestId", "errors"}
    assert reply.body["status"] == status
    assert "Traceback" not in reply.text


def user_item(function: MotoFunction) -> dict[str, Any]:
    """The one USER# item in the table."""
    (item,) = [i for i in function.items() if i["pk"]["S"].startswith("USER#")]
    return item


def test_handler_signs_up_the_sample_event_as_pending(
    invoke: Invoke, function: MotoFunction
) -> None:
    event = sample_event()
    reply = invoke(event)
    assert reply.status == 200, reply.text
    assert reply.body == {
        "username": "AdaLovelace",
        "email": "ada@example.com",
        "status": "pending_verification",
        "expiresAt": reply.body["expiresAt"],
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", reply.body["expiresAt"])
    assert reply.headers["content-type"] == "application/json"
    assert reply.headers["cache-control"] == "no-store"
    assert reply.headers["x-request-id"] == event["requestContext"]["requestId"]
    items = {item["pk"]["S"].split("#")[0]: item for item in function.items()}
    assert set(items) == {"USER", "USERNAME", "EMAIL", "TOKEN"}
    # Every item of a pending sign-up expires (the table's TTL attribute).
    assert all("expiresAt" in item for item in items.values())
    assert items["USER"]["status"]["S"] == "pending"
    assert len(function.mails("ada@example.com")) == 1


def test_handler_stores_a_verifiable_hash_never_returned(
    invoke: Invoke, function: MotoFunction
) -> None:
    reply = invoke(sample_event())
    stored = user_item(function)["passwordHash"]["S"]
    assert PasswordHasher(PEPPER.encode(), cost=4).verify(PASSWORDS[0], stored)
    assert stored not in reply.text
    assert "hash" not in reply.text.lower()
    assert PASSWORDS[0] not in reply.text


def test_handler_decodes_base64_bodies(invoke: Invoke) -> None:
    reply = invoke(sample_event("create_user_base64"))
    assert reply.status == 200, reply.text
    assert reply.body["username"] == "grace.hopper"


def test_handler_registers_128_emoji_password(invoke: Invoke) -> None:
    reply = invoke(api_event(signup(password=PASSWORDS[4])))
    assert len(PASSWORDS[4]) == 128
    assert reply.status == 200, reply.text


def test_handler_keeps_display_forms(invoke: Invoke) -> None:
    reply = invoke(api_event(signup(username="Ａｄａ", email="Ada+Signup@EXAMPLE.com")))
    assert (reply.body["username"], reply.body["email"]) == ("Ada", "Ada+Signup@example.com")


DEEP = '{"username":' + "[" * 40 + "]" * 40 + "}"
BAD_BODIES = [
    pytest.param(None, "body_required", id="empty"),
    pytest.param("   ", "body_required", id="whitespace"),
    pytest.param("{", "body_invalid_json", id="truncated"),
    pytest.param("{'username': 'ada'}", "body_invalid_json", id="single-quotes"),
    pytest.param('{"password": NaN}', "body_invalid_json", id="nan"),
    pytest.param('{"username": "\\ud800"}', "body_invalid_json", id="lone-surrogate"),
    pytest.param("[]", "body_not_object", id="array"),
    pytest.param("42", "body_not_object", id="number"),
    pytest.param('"ada"', "body_not_object", id="string"),
    pytest.param("null", "body_not_object", id="null"),
    pytest.param(DEEP, "body_too_deep", id="deep"),
    pytest.param('{"username":"a","username":"b"}', "field_duplicate", id="duplicate-key"),
]


@pytest.mark.parametrize(("raw", "code"), BAD_BODIES)
def test_handler_rejects_bad_bodies(
    invoke: Invoke, function: MotoFunction, raw: str | None, code: str
) -> None:
    event = api_event(raw=raw)
    assert_problem(invoke(event), 400, [code], event)
    assert function.user_keys() == []


def test_handler_rejects_missing_body_key(invoke: Invoke, function: MotoFunction) -> None:
    event = api_event(signup())
    del event["body"]
    assert_problem(invoke(event), 400, ["body_required"], event)


@pytest.mark.parametrize(
    ("body", "codes"),
    [
        (signup(username="ab"), ["username_too_short"]),
        (signup(username="x" * 33), ["username_too_long"]),
        (signup(username="-ada"), ["username_invalid"]),
        (signup(username="Admin"), ["username_reserved"]),
        (signup(username=""), ["username_required"]),
        (signup(email="not-an-email"), ["email_invalid"]),
        (signup(email=""), ["email_required"]),
        (signup(password="too short"), ["password_too_short"]),
        (signup(password="x" * 129), ["password_too_long"]),
        (signup(password="a" * 20), ["password_common"]),
        (signup(password="AdaLovelace2026!"), ["password_similar"]),
        ({"username": "ada", "email": "ada@example.com"}, ["password_required"]),
        (signup(username=7), ["field_type"]),
        (signup(isAdmin=True), ["field_unknown"]),
        (
            {"username": "a", "email": "b", "password": "c"},
            ["username_too_short", "email_invalid", "password_too_short"],
        ),
    ],
)
def test_handler_rejects_rule_breaks(
    invoke: Invoke, function: MotoFunction, body: dict[str, object], codes: list[str]
) -> None:
    event = api_event(body)
    reply = invoke(event)
    assert_problem(reply, 400, codes, event)
    assert all(error["message"] for error in reply.body["errors"])
    assert function.user_keys() == []


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"content-type": "text/plain"},
        {"content-type": "application/x-www-form-urlencoded"},
        {"content-type": "application/json; charset=latin-1"},
    ],
)
def test_handler_rejects_wrong_media_type(
    invoke: Invoke, function: MotoFunction, headers: dict[str, str]
) -> None:
    event = api_event(signup(), headers=headers)
    assert_problem(invoke(event), 415, ["unsupported_media_type"], event)
    assert function.user_keys() == []


def test_handler_accepts_json_with_utf8_charset_any_case(invoke: Invoke) -> None:
    event = api_event(signup(), headers={"Content-Type": "Application/JSON; Charset=UTF-8"})
    assert invoke(event).status == 200


@pytest.mark.parametrize("base64_encoded", [False, True])
def test_handler_rejects_oversized_bodies(
    invoke: Invoke, function: MotoFunction, base64_encoded: bool
) -> None:
    body = json.dumps(signup(password="p" * 17_000))
    event = api_event(raw=body, base64_body=base64_encoded)
    assert_problem(invoke(event), 413, ["payload_too_large"], event)
    assert function.user_keys() == []


def test_handler_accepts_a_body_just_under_the_limit(invoke: Invoke) -> None:
    padded = json.dumps(signup())[:-1] + " " * (16 * 1024 - len(json.dumps(signup()))) + "}"
    assert len(padded.encode()) == 16 * 1024
    assert invoke(api_event(raw=padded)).status == 200


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("not base64!", "body_invalid_json"),
        (base64.b64encode(b"\xff\xfe{}").decode(), "body_invalid_json"),
    ],
)
def test_handler_rejects_bad_base64_and_utf8(
    invoke: Invoke, function: MotoFunction, raw: str, code: str
) -> None:
    event = api_event(raw="{}")
    event["body"], event["isBase64Encoded"] = raw, True
    assert_problem(invoke(event), 400, [code], event)
    assert function.user_keys() == []


def test_handler_answers_404_for_other_paths(invoke: Invoke) -> None:
    event = api_event(signup(), path="/users")
    assert_problem(invoke(event), 404, ["route_not_found"], event)


def test_handler_answers_405_for_other_methods(invoke: Invoke, function: MotoFunction) -> None:
    event = api_event(signup(), method="GET")
    reply = invoke(event)
    assert_problem(reply, 405, ["method_not_allowed"], event)
    assert reply.headers["allow"] == "POST"
    assert function.user_keys() == []


@pytest.mark.parametrize("variant", ["ADA", "ada", "Ａｄａ", "aDa"])
def test_handler_username_taken_across_case_and_width(
    invoke: Invoke, function: MotoFunction, variant: str
) -> None:
    assert invoke(api_event(signup(username="Ada"))).status == 200
    before = function.user_keys()
    event = api_event(signup(username=variant, email="other@example.com"))
    assert_problem(invoke(event), 409, ["username_taken"], event)
    assert function.user_keys() == before


def test_handler_reports_only_the_username_when_both_are_held(
    invoke: Invoke, function: MotoFunction
) -> None:
    assert invoke(api_event(signup())).status == 200
    token = function.token("ada@example.com")
    verify = api_event({"token": token, "password": PASSWORDS[0]}, path="/verifyEmail")
    assert invoke(verify).status == 200
    before = function.user_keys()
    event = api_event(signup(username="ADALOVELACE", email="ADA@example.com"))
    # Usernames are public; whether the address is held is never said.
    assert_problem(invoke(event), 409, ["username_taken"], event)
    assert function.user_keys() == before


def test_handler_plus_tag_is_a_different_email(invoke: Invoke) -> None:
    assert invoke(api_event(signup())).status == 200
    reply = invoke(api_event(signup(username="ada2", email="ada+2@example.com")))
    assert reply.status == 200


def test_handler_logs_one_structured_line_per_request(invoke: Invoke, log_lines: list[str]) -> None:
    event = sample_event()
    invoke(event)
    invoke(api_event(signup(password="short")))
    lines = [json.loads(line) for line in log_lines if '"createUser"' in line]
    assert [line["status"] for line in lines] == [200, 400]
    first = lines[0]
    assert first["requestId"] == event["requestContext"]["requestId"]
    assert first["outcome"] == "SignupAccepted"
    assert first["service"] == "signup"
    assert isinstance(first["durationMs"], float)
    assert lines[1]["errorCodes"] == ["password_too_short"]
    assert "body" not in first
    assert "event" not in json.dumps(first)


def test_handler_counts_a_verified_user_once_however_often_the_link_is_clicked(
    invoke: Invoke, function: MotoFunction, log_lines: list[str]
) -> None:
    assert invoke(api_event(signup())).status == 200
    body = {"token": function.token("ada@example.com"), "password": PASSWORDS[0]}
    verify = api_event(body, path="/verifyEmail")
    assert invoke(verify).status == 200
    assert invoke(verify).status == 200
    lines = [json.loads(line) for line in log_lines if '"verifyEmail"' in line]
    assert [line["outcome"] for line in lines] == ["EmailVerified", "EmailVerifiedAgain"]


def test_handler_reads_the_pepper_from_ssm_once(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = function_settings(pepper_value=None, pepper_parameter="/signup/test/pepper")
    with function_on_moto(monkeypatch, settings) as function:
        ssm = boto3.client("ssm", region_name="eu-west-1")
        ssm.put_parameter(Name="/signup/test/pepper", Value="s" * 48, Type="SecureString")
        reply = function.invoke(api_event(signup()))
        assert reply.status == 200, reply.text
        stored = user_item(function)["passwordHash"]["S"]
        assert PasswordHasher(b"s" * 48, cost=4).verify(PASSWORDS[0], stored)
        # Read once per container: deleting the parameter does not affect later requests.
        ssm.delete_parameter(Name="/signup/test/pepper")
        later = api_event(signup(username="grace", email="grace@example.com"))
        assert function.invoke(later).status == 200
