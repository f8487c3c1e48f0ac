"""The verification contract through the real handler on moto: createUser, verifyEmail,
resendVerification, and what they never reveal."""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest

from contract.routes import RESEND_VERIFICATION, VERIFY_EMAIL
from contract.tokens import token_digest
from tests.support.events import api_event
from tests.support.moto import MAIL_DOMAIN, TABLE, MotoFunction, Reply
from tests.support.secrets import PASSWORDS
from tests.support.users import signup

ADA = "ada@example.com"


def verify(function: MotoFunction, token: object, password: object = PASSWORDS[0]) -> Reply:
    body = {"token": token, "password": password}
    return function.invoke(api_event(body, path=VERIFY_EMAIL.path))


def resend(function: MotoFunction, address: str = ADA) -> Reply:
    return function.invoke(api_event({"email": address}, path=RESEND_VERIFICATION.path))


def sign_up(function: MotoFunction, **fields: object) -> Reply:
    return function.invoke(api_event(signup(**fields)))


def set_number(function: MotoFunction, pk: str, name: str, value: int) -> None:
    """Move a stored time, as the clock would have."""
    function.dynamodb.update_item(
        TableName=TABLE,
        Key={"pk": {"S": pk}},
        UpdateExpression="SET #n = :v",
        ExpressionAttributeNames={"#n": name},
        ExpressionAttributeValues={":v": {"N": str(value)}},
    )


def assert_problem(reply: Reply, status: int, codes: list[str]) -> None:
    assert reply.status == status, reply.text
    assert reply.codes == codes
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.body["requestId"] == reply.headers["x-request-id"]


def test_verify_email_verifies_the_user_and_every_claim(function: MotoFunction) -> None:
    sign_up(function)
    reply = verify(function, function.token(ADA))
    assert reply.status == 200, reply.text
    assert set(reply.body) == {"userId", "username", "email", "createdAt", "verifiedAt"}
    assert (reply.body["username"], reply.body["email"]) == ("AdaLovelace", ADA)
    items = {item["pk"]["S"].split("#")[0]: item for item in function.items()}
    assert items["USER"]["status"]["S"] == "verified"
    assert items["USER"]["userId"]["S"] == reply.body["userId"]
    for kind in ("USER", "USERNAME", "EMAIL"):
        assert "expiresAt" not in items[kind], kind
    assert "usedAt" in items["TOKEN"]


def test_verify_email_twice_answers_the_same_200(function: MotoFunction) -> None:
    sign_up(function)
    token = function.token(ADA)
    first = verify(function, token)
    second = verify(function, token)
    assert (second.status, second.body) == (200, first.body)


@pytest.mark.parametrize(
    ("token", "status", "codes"),
    [
        ("A" * 43, 400, ["token_invalid"]),
        ("not-a-token", 400, ["token_invalid"]),
        (None, 400, ["token_required"]),
        (12, 400, ["field_type"]),
    ],
)
def test_verify_email_refuses_bad_tokens_and_writes_nothing(
    function: MotoFunction, token: object, status: int, codes: list[str]
) -> None:
    sign_up(function)
    before = function.items()
    assert_problem(verify(function, token), status, codes)
    assert function.items() == before


def test_verify_email_expired_link_is_410_and_verifies_nothing(function: MotoFunction) -> None:
    sign_up(function)
    token = function.token(ADA)
    set_number(function, f"TOKEN#{token_digest(token)}", "validUntil", int(time.time()) - 1)
    assert_problem(verify(function, token), 410, ["token_expired"])
    (user,) = [i for i in function.items() if i["pk"]["S"].startswith("USER#")]
    assert user["status"]["S"] == "pending"


def test_verify_email_superseded_link_is_invalid(function: MotoFunction) -> None:
    sign_up(function)
    old = function.token(ADA)
    sign_up(function)  # the same sign-up again: a fresh link replaces the first
    assert_problem(verify(function, old), 400, ["token_invalid"])
    assert verify(function, function.token(ADA)).status == 200


def test_create_user_for_a_verified_address_looks_exactly_like_a_new_one(
    function: MotoFunction,
) -> None:
    sign_up(function)
    verify(function, function.token(ADA))
    mails = len(function.mails(ADA))
    taken = sign_up(function, username="grace", email="ADA@example.com")
    fresh = sign_up(function, username="hopper", email="hopper@example.com")
    assert taken.status == fresh.status == 200
    assert set(taken.body) == set(fresh.body)
    assert taken.body["status"] == fresh.body["status"] == "pending_verification"
    ignored = {"x-request-id"}
    assert {k: v for k, v in taken.headers.items() if k not in ignored} == {
        k: v for k, v in fresh.headers.items() if k not in ignored
    }
    # Both usernames are now held, as after any sign-up.
    for name in ("grace", "hopper"):
        again = sign_up(function, username=name, email="someone.else@example.com")
        assert_problem(again, 409, ["username_taken"])
    # Its owner got a notice, not a link.
    notices = function.mails("ADA@example.com")
    assert len(notices) == 1 and len(function.mails(ADA)) == mails
    assert "verify?token=" not in str(notices[0].get_body())


@pytest.mark.parametrize("state", ["new", "pending", "verified"])
def test_create_user_two_request_probe_answers_the_same_for_every_state(
    function: MotoFunction, state: str
) -> None:
    if state != "new":
        sign_up(function, username="target.owner")
    if state == "verified":
        assert verify(function, function.token(ADA)).status == 200
    assert sign_up(function, username="probe", email=ADA).status == 200
    second = sign_up(function, username="probe", email="other@example.com")
    assert_problem(second, 409, ["username_taken"])


def test_verify_email_wrong_password_is_400_password_mismatch_and_verifies_nothing(
    function: MotoFunction,
) -> None:
    sign_up(function)
    token = function.token(ADA)
    before = [i for i in function.items() if not i["pk"]["S"].startswith("TOKEN#")]
    reply = verify(function, token, PASSWORDS[1])
    assert_problem(reply, 400, ["password_mismatch"])
    assert reply.body["errors"][0]["field"] == "password"
    assert [i for i in function.items() if not i["pk"]["S"].startswith("TOKEN#")] == before


def test_verify_email_five_mismatches_spend_the_link(function: MotoFunction) -> None:
    sign_up(function)
    token = function.token(ADA)
    for _ in range(5):
        assert_problem(verify(function, token, PASSWORDS[1]), 400, ["password_mismatch"])
    assert_problem(verify(function, token), 400, ["token_invalid"])


def test_verify_email_stranger_re_sign_up_is_never_confirmed_by_the_owner(
    function: MotoFunction,
) -> None:
    sign_up(function, password=PASSWORDS[0])
    function.deliver()
    sign_up(function, password=PASSWORDS[1])  # a stranger, same username and address
    assert_problem(verify(function, function.token(ADA), PASSWORDS[0]), 400, ["password_mismatch"])
    (user,) = [i for i in function.items() if i["pk"]["S"].startswith("USER#")]
    assert user["status"]["S"] == "pending"


def test_create_user_never_answers_email_taken(function: MotoFunction) -> None:
    sign_up(function)
    again = sign_up(function, username="other.name")
    assert again.status == 200
    assert "email_taken" not in again.text


def test_resend_verification_is_always_the_same_202(function: MotoFunction) -> None:
    sign_up(function)  # pending, within the cooldown
    sign_up(function, username="verified.one", email="verified@example.com")
    verify(function, function.token("verified@example.com"))
    answers = [resend(function, a) for a in (ADA, "verified@example.com", "nobody@example.com")]
    assert {a.status for a in answers} == {202}
    assert len({a.text for a in answers}) == 1
    assert len(function.mails(ADA)) == 1  # the cooldown held the pending one back


def test_resend_verification_after_the_cooldown_mails_a_fresh_link(
    function: MotoFunction,
) -> None:
    sign_up(function)
    old = function.token(ADA)
    set_number(function, f"EMAIL#{ADA}", "mailedAt", int(time.time()) - 61)
    assert resend(function).status == 202
    new = function.token(ADA)
    assert new != old
    assert_problem(verify(function, old), 400, ["token_invalid"])
    assert verify(function, new).status == 200


@pytest.mark.parametrize(
    ("body", "codes"),
    [({"email": "nope"}, ["email_invalid"]), ({}, ["email_required"]), ({"e": 1}, None)],
)
def test_resend_verification_refuses_bad_bodies(
    function: MotoFunction, body: dict[str, Any], codes: list[str] | None
) -> None:
    reply = function.invoke(api_event(body, path=RESEND_VERIFICATION.path))
    assert reply.status == 400
    if codes is not None:
        assert reply.codes == codes
    assert function.items() == []


@pytest.mark.parametrize("verified", [False, True])
def test_mail_outage_never_fails_a_sign_up(function: MotoFunction, verified: bool) -> None:
    if verified:
        sign_up(function)
        verify(function, function.token(ADA))
    # SES refuses: the sending identity is gone (as when it is unverified).
    boto3.client("sesv2").delete_email_identity(EmailIdentity=MAIL_DOMAIN)
    reply = sign_up(function, username="after.outage")
    assert reply.status == 200, reply.text
    assert function.deliver() != []  # the worker's record failed and stays for a retry


def test_mail_outage_then_the_mail_arrives_once_and_confirms(function: MotoFunction) -> None:
    boto3.client("sesv2").delete_email_identity(EmailIdentity=MAIL_DOMAIN)
    assert sign_up(function).status == 200
    assert function.deliver() != []
    boto3.client("sesv2").create_email_identity(EmailIdentity=MAIL_DOMAIN)
    assert function.deliver() == []
    assert function.deliver() == []
    assert len(function.mails(ADA)) == 1
    assert verify(function, function.token(ADA)).status == 200


def test_resend_mail_failure_still_answers_202(function: MotoFunction) -> None:
    sign_up(function)
    set_number(function, f"EMAIL#{ADA}", "mailedAt", int(time.time()) - 61)
    boto3.client("sesv2").delete_email_identity(EmailIdentity=MAIL_DOMAIN)
    assert resend(function).status == 202


def test_no_response_or_table_item_holds_a_token(function: MotoFunction) -> None:
    reply = sign_up(function)
    token = function.token(ADA)
    verified = verify(function, token)
    for text in (reply.text, verified.text, str(function.all_items())):
        assert token not in text


def test_no_outbox_item_holds_a_token(function: MotoFunction) -> None:
    sign_up(function)
    outbox = str(function.outbox())
    assert function.token(ADA) not in outbox
