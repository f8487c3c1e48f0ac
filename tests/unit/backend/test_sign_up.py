"""The sign-up flow in process on moto: what each path writes, the probes it must defeat, the
password check on the link, and how it behaves under races."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from backend.email_verification import (
    PASSWORD_ATTEMPTS,
    verify_email,
)
from backend.errors import (
    ClaimChanged,
    IdentityTaken,
    PasswordMismatch,
    StoreUnavailable,
    TokenExpired,
    TokenInvalid,
)
from backend.sign_up import ATTEMPTS
from backend.store import DynamoDBUserStore
from contract.rules import InvalidFields, InvalidSignup
from contract.tokens import token_digest
from tests.support.flow import DAY, HASHER, START, Flow, text
from tests.support.moto import MotoFunction
from tests.support.secrets import PASSWORDS

OWNER, STRANGER = PASSWORDS[0], PASSWORDS[1]


@pytest.fixture
def flow(function: MotoFunction) -> Flow:
    return Flow(function.dynamodb)


@pytest.fixture
def transactions(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[dict[str, Any]]]]:
    """Every TransactWriteItems the user store sends, as its list of items."""
    sent: list[list[dict[str, Any]]] = []
    real = DynamoDBUserStore._transact

    def keep(self: DynamoDBUserStore, operations: list[dict[str, Any]], *args: Any) -> None:
        sent.append(operations)
        real(self, operations, *args)

    monkeypatch.setattr(DynamoDBUserStore, "_transact", keep)
    yield sent


def make(
    flow: Flow, state: str, address: str = "target@example.com", owner: str = "target.owner"
) -> None:
    """Give `address` a state: "new" (nothing), "pending" or "verified" (`owner`'s)."""
    if state == "new":
        return
    flow.sign_up(username=owner, email=address)
    if state == "verified":
        flow.verify(flow.link(address))
    flow.deliver()
    flow.mailer.sent.clear()


# ---- signing up ----------------------------------------------------------------------------


def test_sign_up_new_address_is_pending_and_queues_one_link(flow: Flow) -> None:
    body = flow.sign_up(username="Ａｄａ", email="Ada@EXAMPLE.com")
    assert body == {
        "username": "Ada",
        "email": "Ada@example.com",
        "status": "pending_verification",
        "expiresAt": "2027-01-16T08:00:00Z",  # START + one day
    }
    people = flow.people()
    (user,) = [item for pk, item in people.items() if pk.startswith("USER#")]
    assert text(user, "status") == "pending"
    assert HASHER.verify(PASSWORDS[0], text(user, "passwordHash") or "")
    (outbox,) = flow.outbox_keys()
    assert flow.mailer.sent == []  # nothing mailed on the request path
    assert flow.deliver() == ["sent"]
    (mail,) = flow.mailer.sent
    assert mail.to == "Ada@example.com"
    token = flow.link("Ada@example.com")
    assert f"TOKEN#{token_digest(token)}" in people
    # Neither the table nor the outbox item (the stream's record) held the token.
    assert token not in repr(people) and outbox not in flow.items()


@pytest.mark.parametrize("state", ["new", "pending", "verified"])
def test_sign_up_every_state_writes_one_transaction_of_the_same_shape(
    flow: Flow, state: str, transactions: list[list[dict[str, Any]]]
) -> None:
    make(flow, state)
    transactions.clear()
    flow.sign_up(username="prober", email="target@example.com")
    (sent,) = transactions
    assert len(sent) == 7
    # The username is claimed until the link's expiry, whatever the address's state.
    claim = flow.items()["USERNAME#prober"]
    assert claim["expiresAt"]["N"] == str(int(START) + DAY)


def _conditions(sent: list[dict[str, Any]]) -> list[tuple[str, str, list[str]]]:
    """Each action's kind, condition and value placeholders (not the values)."""
    return [
        (kind, op.get("ConditionExpression", ""), sorted(op.get("ExpressionAttributeValues", {})))
        for action in sent
        for kind, op in action.items()
    ]


def test_sign_up_every_state_sends_the_same_conditions(
    flow: Flow, transactions: list[list[dict[str, Any]]]
) -> None:
    # The store parses and tests each condition it is sent: one text for every state, or
    # the time to evaluate them would differ with the address's state.
    shapes = {}
    for state in ("new", "pending", "verified"):
        make(flow, state, f"{state}@example.com", owner=f"owner.{state}")
        transactions.clear()
        flow.sign_up(username=f"prober.{state}", email=f"{state}@example.com")
        (sent,) = transactions
        shapes[state] = _conditions(sent)
    assert shapes["new"] == shapes["pending"]
    # A verified address's claim is checked, not written; everything else is alike.
    profile, username, _, *rest = shapes["new"]
    assert [s for i, s in enumerate(shapes["verified"]) if i != 2] == [profile, username, *rest]
    assert shapes["verified"][2][0] == "ConditionCheck"


@pytest.mark.parametrize("state", ["new", "pending", "verified"])
def test_sign_up_two_request_probe_answers_alike_for_every_state(flow: Flow, state: str) -> None:
    make(flow, state)
    first = flow.sign_up(username="probe.name", email="target@example.com")
    assert first["status"] == "pending_verification"
    with pytest.raises(IdentityTaken):
        flow.sign_up(username="probe.name", email="elsewhere@example.com")


def test_sign_up_verified_address_tells_the_owner_and_changes_nothing_of_hers(flow: Flow) -> None:
    make(flow, "verified", "ada@example.com")
    before = {pk: item for pk, item in flow.people().items() if "prober" not in pk}
    flow.sign_up(username="prober", email="ADA@example.com")
    after = flow.people()
    assert {pk: after[pk] for pk in before} == before
    decoy = [item for pk, item in after.items() if pk.startswith("USER#") and pk not in before]
    assert [text(item, "status") for item in decoy] == ["decoy"]
    assert flow.deliver() == ["sent"]
    (notice,) = flow.mailer.sent
    assert (notice.kind, notice.to, notice.link) == ("notice", "ADA@example.com", None)


def test_sign_up_replacing_a_pending_one_keeps_its_username_claimed(flow: Flow) -> None:
    flow.sign_up(username="squatter")
    flow.sign_up(username="ada.owner")
    # Not released: a third request must not see the address had been pending as "squatter".
    with pytest.raises(IdentityTaken):
        flow.sign_up(username="squatter", email="other@example.com")
    flow.clock.now += DAY + 1
    flow.sign_up(username="squatter", email="other@example.com")


def test_sign_up_again_while_pending_replaces_the_sign_up_and_the_link(flow: Flow) -> None:
    flow.sign_up()
    old_token = flow.link()
    flow.clock.now += 10
    flow.sign_up()
    assert len([pk for pk in flow.people() if pk.startswith("USER#")]) == 1
    with pytest.raises(TokenInvalid):
        flow.verify(old_token)
    assert flow.verify(flow.link())["username"] == "AdaLovelace"


def test_sign_up_username_pending_elsewhere_is_taken_until_it_expires(flow: Flow) -> None:
    flow.sign_up(username="popular", email="first@example.com")
    with pytest.raises(IdentityTaken):
        flow.sign_up(username="popular", email="second@example.com")
    flow.clock.now += DAY + 1  # expired, though (like DynamoDB's TTL) nothing deleted it
    flow.sign_up(username="popular", email="second@example.com")


@pytest.mark.parametrize(
    "password", ["passwordpassword1", "qwertyuiopasdfgh", "signupsignupsignup"]
)
def test_sign_up_weak_long_password_is_refused_and_writes_nothing(
    flow: Flow, password: str
) -> None:
    with pytest.raises(InvalidSignup) as raised:
        flow.sign_up(password=password)
    assert [p.code for p in raised.value.problems] == ["password_weak"]
    assert flow.items() == {}


def test_sign_up_reads_again_after_losing_a_race(
    flow: Flow, monkeypatch: pytest.MonkeyPatch
) -> None:
    losses = [ATTEMPTS - 1]
    real = DynamoDBUserStore.add_pending

    def racing(self: DynamoDBUserStore, *args: Any, **kwargs: Any) -> None:
        if losses[0]:
            losses[0] -= 1
            raise ClaimChanged("raced")
        real(self, *args, **kwargs)

    monkeypatch.setattr(DynamoDBUserStore, "add_pending", racing)
    flow.sign_up()
    assert len(flow.outbox_keys()) == 1


def test_sign_up_gives_up_with_503_when_every_attempt_loses(
    flow: Flow, monkeypatch: pytest.MonkeyPatch
) -> None:
    def racing(self: DynamoDBUserStore, *args: Any, **kwargs: Any) -> None:
        raise ClaimChanged("raced")

    monkeypatch.setattr(DynamoDBUserStore, "add_pending", racing)
    with pytest.raises(StoreUnavailable):
        flow.sign_up()
    assert flow.items() == {}


# ---- verifying ----------------------------------------------------------------------------


def test_verify_with_the_sign_ups_password_marks_everything_at_once(flow: Flow) -> None:
    flow.sign_up()
    flow.clock.now += 60
    body = flow.verify(flow.link())
    assert body["verifiedAt"] == "2027-01-15T08:01:00.000Z"
    items = flow.people()
    assert text(items[f"USER#{body['userId']}"], "status") == "verified"
    assert "expiresAt" not in items["USERNAME#adalovelace"]
    assert "expiresAt" not in items["EMAIL#ada@example.com"]


def test_verify_repeat_with_the_right_password_answers_the_same(flow: Flow) -> None:
    flow.sign_up()
    token = flow.link()
    first = flow.verify(token)
    for _ in range(PASSWORD_ATTEMPTS + 1):  # right passwords never spend the link
        assert flow.verify(token) == first


def test_verify_stranger_re_sign_up_cannot_be_confirmed_by_the_owner(flow: Flow) -> None:
    flow.sign_up(password=OWNER)
    owners_first = flow.link()
    # A stranger signs up again with the owner's username and address, and a password of theirs.
    flow.sign_up(password=STRANGER)
    newest = flow.link()
    with pytest.raises(TokenInvalid):
        flow.verify(owners_first, OWNER)
    with pytest.raises(PasswordMismatch):
        flow.verify(newest, OWNER)  # the owner follows the newest link with her password
    users = [item for pk, item in flow.people().items() if pk.startswith("USER#")]
    assert [text(user, "status") for user in users] == ["pending"]
    # She signs up again herself: her own link with her own password confirms.
    flow.sign_up(password=OWNER)
    assert flow.verify(flow.link(), OWNER)["email"] == "ada@example.com"


def test_verify_five_wrong_passwords_spend_the_link(flow: Flow) -> None:
    flow.sign_up()
    token = flow.link()
    for _ in range(PASSWORD_ATTEMPTS):
        with pytest.raises(PasswordMismatch):
            flow.verify(token, STRANGER)
    with pytest.raises(TokenInvalid):
        flow.verify(token, OWNER)
    users = [item for pk, item in flow.people().items() if pk.startswith("USER#")]
    assert [text(user, "status") for user in users] == ["pending"]


def test_verify_unknown_link_is_invalid(flow: Flow) -> None:
    with pytest.raises(TokenInvalid):
        flow.verify("A" * 43)


@pytest.mark.parametrize(
    ("payload", "codes"),
    [
        ({"token": "short", "password": OWNER}, ["token_invalid"]),
        ({"token": "A" * 42 + "!", "password": OWNER}, ["token_invalid"]),
        ({"password": OWNER}, ["token_required"]),
        ({"token": "A" * 43}, ["password_required"]),
        ({"token": "A" * 43, "password": ""}, ["password_required"]),
        ({"token": 7, "password": OWNER}, ["field_type"]),
        ({"token": "A" * 43, "password": OWNER, "extra": 1}, ["field_unknown"]),
    ],
)
def test_verify_malformed_request_is_refused_by_the_rules(
    flow: Flow, payload: dict[str, object], codes: list[str]
) -> None:
    with pytest.raises(InvalidFields) as raised:
        verify_email(payload, flow.deps, clock=flow.clock)
    assert [p.code for p in raised.value.problems] == codes


def test_verify_expired_link_is_gone_and_verifies_nothing(flow: Flow) -> None:
    flow.sign_up()
    token = flow.link()
    flow.clock.now += DAY
    with pytest.raises(TokenExpired):
        flow.verify(token)


# ---- resending ----------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["new", "pending", "verified"])
def test_resend_queues_one_request_whatever_the_state(flow: Flow, state: str) -> None:
    make(flow, state)
    before = flow.people()
    flow.resend("target@example.com")
    assert len(flow.outbox_keys()) == 1
    assert flow.people() == before  # decided by the worker, off the request path


def test_resend_after_the_cooldown_mails_a_fresh_link(flow: Flow) -> None:
    flow.sign_up()
    old = flow.link()
    flow.clock.now += 61
    flow.resend()
    assert flow.deliver() == ["renewed", "sent"]
    new = flow.link()
    assert new != old
    with pytest.raises(TokenInvalid):
        flow.verify(old)
    assert flow.verify(new)["username"] == "AdaLovelace"


def test_resend_within_the_cooldown_mails_nothing_whatever_the_number(flow: Flow) -> None:
    flow.sign_up()
    flow.deliver()
    for _ in range(5):
        flow.resend()
    assert flow.deliver() == ["notdue"] * 5
    assert len(flow.mailer.sent) == 1


@pytest.mark.parametrize("state", ["new", "verified"])
def test_resend_to_an_address_nobody_waits_on_mails_nothing(flow: Flow, state: str) -> None:
    make(flow, state, "ada@example.com")
    flow.clock.now += 61
    flow.resend()
    assert flow.deliver() == ["notdue"]
    assert flow.mailer.sent == []


def test_resend_never_revives_an_expired_sign_up(flow: Flow) -> None:
    flow.sign_up()
    flow.deliver()
    flow.clock.now += DAY + 1
    flow.resend()
    assert flow.deliver() == ["notdue"]
    assert len(flow.mailer.sent) == 1
