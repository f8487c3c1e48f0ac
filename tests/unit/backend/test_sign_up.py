"""The sign-up flow without AWS: register, verify and resend over an in-memory store."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from backend.email_verification import RESEND_COOLDOWN_SECONDS, resend_verification, verify_email
from backend.errors import (
    ClaimChanged,
    IdentityTaken,
    MailUnavailable,
    StoreUnavailable,
    TokenExpired,
    TokenInvalid,
)
from backend.hashing import PasswordHasher
from backend.messages import NOTICE, VERIFICATION, MailContext
from backend.records import UsernameClaim
from backend.sign_up import ATTEMPTS, Registration, register_user
from contract.rules import InvalidFields, InvalidSignup, PasswordPolicy
from contract.tokens import token_digest
from tests.support.mailbox import RecordingMailer, token_in
from tests.support.memory_store import InMemoryUserStore
from tests.support.secrets import PASSWORDS, PEPPER
from tests.support.users import signup

HASHER = PasswordHasher(PEPPER.encode(), cost=4)
DAY = 86400
START = 1_800_000_000.0


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


class Flow:
    """One in-memory service: its store, its outgoing mail, its clock."""

    def __init__(self, store: InMemoryUserStore | None = None) -> None:
        self.store = store or InMemoryUserStore()
        self.mailer = RecordingMailer()
        self.clock = Clock()
        self.deps = Registration(
            policy=PasswordPolicy(),
            hasher=HASHER,
            store=self.store,
            mailer=self.mailer,
            mail=MailContext(sender="Example <no-reply@example.com>", web_url="https://w.example"),
            link_seconds=DAY,
        )

    def sign_up(self, **fields: object) -> dict[str, str]:
        return register_user(signup(**fields), self.deps, clock=self.clock).to_json()

    def link(self, address: str = "ada@example.com") -> str:
        """The token of the newest verification mail to `address`."""
        mails = [m for m in self.mailer.to(address) if m.kind == VERIFICATION]
        return token_in(mails[-1].message)

    def verify(self, token: str) -> dict[str, str]:
        return verify_email({"token": token}, self.deps, clock=self.clock).to_json()

    def resend(self, address: str = "ada@example.com") -> Any:
        return resend_verification({"email": address}, self.deps, clock=self.clock)

    def snapshot(self) -> Any:
        store = self.store
        return copy.deepcopy((store.users, store.usernames, store.emails, store.tokens))


@pytest.fixture
def flow() -> Flow:
    return Flow()


# ---- signing up ----------------------------------------------------------------------------


def test_sign_up_new_address_is_pending_with_one_link(flow: Flow) -> None:
    body = flow.sign_up(username="Ａｄａ", email="Ada@EXAMPLE.com")
    assert body == {
        "username": "Ada",
        "email": "Ada@example.com",
        "status": "pending_verification",
        "expiresAt": "2027-01-16T08:00:00Z",  # START + one day
    }
    (user,) = flow.store.users.values()
    assert (user.status, user.username_key, user.email_key) == ("pending", "ada", "ada@example.com")
    assert HASHER.verify(PASSWORDS[0], flow.store.hashes[user.user_id])
    assert flow.store.emails["ada@example.com"].expires == int(START) + DAY
    (mail,) = flow.mailer.sent
    assert (mail.kind, mail.to) == (VERIFICATION, "Ada@example.com")
    token = token_in(mail.message)
    assert flow.store.tokens[token_digest(token)].user_id == user.user_id
    assert token not in repr(flow.store.tokens) + repr(flow.store.users)


def test_sign_up_verified_address_answers_the_same_writes_nothing_and_tells_the_owner(
    flow: Flow,
) -> None:
    first = flow.sign_up()
    flow.verify(flow.link())
    before = flow.snapshot()
    again = flow.sign_up(username="someone.else", email="ADA@example.com")
    assert set(again) == set(first)
    assert again["status"] == "pending_verification"
    assert flow.snapshot() == before
    notice = flow.mailer.sent[-1]
    assert (notice.kind, notice.to, notice.link) == (NOTICE, "ADA@example.com", None)


def test_sign_up_verified_address_with_a_taken_username_is_409_without_mail(flow: Flow) -> None:
    flow.sign_up()
    flow.verify(flow.link())
    mails = len(flow.mailer.sent)
    with pytest.raises(IdentityTaken):
        flow.sign_up(username="ADALOVELACE", email="ada@example.com")
    assert len(flow.mailer.sent) == mails


def test_sign_up_again_while_pending_replaces_the_sign_up_and_the_link(flow: Flow) -> None:
    flow.sign_up()
    old_token = flow.link()
    flow.clock.now += 10
    flow.sign_up()
    assert len(flow.store.users) == 1
    assert token_digest(old_token) not in flow.store.tokens
    with pytest.raises(TokenInvalid):
        flow.verify(old_token)
    assert flow.verify(flow.link())["username"] == "AdaLovelace"


def test_sign_up_pending_address_under_another_username_releases_the_first(flow: Flow) -> None:
    flow.sign_up(username="squatter")
    flow.sign_up(username="ada.owner")
    assert "squatter" not in flow.store.usernames
    assert set(flow.store.usernames) == {"ada.owner"}
    # The released name is free for anyone at once.
    flow.sign_up(username="squatter", email="other@example.com")


def test_sign_up_username_pending_elsewhere_is_taken_until_it_expires(flow: Flow) -> None:
    flow.sign_up(username="popular", email="first@example.com")
    with pytest.raises(IdentityTaken):
        flow.sign_up(username="popular", email="second@example.com")
    flow.clock.now += DAY + 1  # expired, though (like DynamoDB's TTL) nothing deleted it
    flow.sign_up(username="popular", email="second@example.com")
    assert flow.store.usernames["popular"].user_id != flow.store.emails["first@example.com"].user_id


def test_sign_up_expired_claim_on_the_address_is_replaced(flow: Flow) -> None:
    flow.sign_up()
    flow.clock.now += DAY + 1
    flow.sign_up(username="ada.later")
    assert flow.store.emails["ada@example.com"].username_key == "ada.later"
    assert len(flow.store.users) == 1


def test_sign_up_verified_username_is_taken_for_a_new_address(flow: Flow) -> None:
    flow.sign_up()
    flow.verify(flow.link())
    with pytest.raises(IdentityTaken):
        flow.sign_up(email="new@example.com")


def test_sign_up_rule_break_writes_and_mails_nothing(flow: Flow) -> None:
    with pytest.raises(InvalidSignup) as raised:
        flow.sign_up(password="short")
    assert [p.code for p in raised.value.problems] == ["password_too_short"]
    assert flow.snapshot() == ({}, {}, {}, {})
    assert flow.mailer.sent == []


@pytest.mark.parametrize("verified", [False, True])
def test_sign_up_mail_failure_is_the_same_on_both_paths(flow: Flow, verified: bool) -> None:
    if verified:
        flow.sign_up()
        flow.verify(flow.link())
    flow.mailer.fail = True
    with pytest.raises(MailUnavailable):
        flow.sign_up(username="another.one")


def test_sign_up_after_a_mail_failure_sends_a_fresh_link(flow: Flow) -> None:
    flow.mailer.fail = True
    with pytest.raises(MailUnavailable):
        flow.sign_up()
    flow.mailer.fail = False
    flow.sign_up()
    assert flow.verify(flow.link())["email"] == "ada@example.com"


class _Racing(InMemoryUserStore):
    """A store whose first `losses` writes lose a race."""

    def __init__(self, losses: int) -> None:
        super().__init__()
        self.losses = losses

    def add_pending(self, *args: Any, **kwargs: Any) -> None:
        if self.losses:
            self.losses -= 1
            raise ClaimChanged("raced")
        super().add_pending(*args, **kwargs)


def test_sign_up_reads_again_after_losing_a_race() -> None:
    flow = Flow(_Racing(losses=ATTEMPTS - 1))
    flow.sign_up()
    assert len(flow.store.users) == 1


def test_sign_up_gives_up_with_503_when_every_attempt_loses() -> None:
    flow = Flow(_Racing(losses=ATTEMPTS))
    with pytest.raises(StoreUnavailable):
        flow.sign_up()
    assert flow.mailer.sent == []


# ---- verifying ----------------------------------------------------------------------------


def test_verify_marks_user_claims_and_link_at_once(flow: Flow) -> None:
    flow.sign_up()
    flow.clock.now += 60
    body = flow.verify(flow.link())
    user_id = flow.store.emails["ada@example.com"].user_id
    assert body == {
        "userId": user_id,
        "username": "AdaLovelace",
        "email": "ada@example.com",
        "createdAt": "2027-01-15T08:00:00.000Z",
        "verifiedAt": "2027-01-15T08:01:00.000Z",
    }
    assert flow.store.users[user_id].status == "verified"
    assert flow.store.usernames["adalovelace"].expires is None
    assert flow.store.emails["ada@example.com"].expires is None


def test_verify_the_same_link_twice_answers_the_same(flow: Flow) -> None:
    flow.sign_up()
    token = flow.link()
    first = flow.verify(token)
    flow.clock.now += 5
    assert flow.verify(token) == first


def test_verify_unknown_link_is_invalid(flow: Flow) -> None:
    with pytest.raises(TokenInvalid):
        flow.verify("A" * 43)


@pytest.mark.parametrize(
    ("payload", "codes"),
    [
        ({"token": "short"}, ["token_invalid"]),
        ({"token": "A" * 42 + "!"}, ["token_invalid"]),
        ({}, ["token_required"]),
        ({"token": 7}, ["field_type"]),
        ({"token": "A" * 43, "extra": 1}, ["field_unknown"]),
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
    flow.clock.now += DAY
    with pytest.raises(TokenExpired):
        flow.verify(flow.link())
    assert all(user.status == "pending" for user in flow.store.users.values())


def test_verify_used_link_after_its_time_is_expired(flow: Flow) -> None:
    flow.sign_up()
    token = flow.link()
    flow.verify(token)
    flow.clock.now += DAY + 1
    with pytest.raises(TokenExpired):
        flow.verify(token)


def test_verify_link_whose_username_was_taken_after_expiry_is_expired(flow: Flow) -> None:
    # A slow clock on another instance: the claim is gone though the link's
    # own clock check passed. The store's conditions catch it.
    flow.sign_up()
    flow.store.usernames["adalovelace"] = UsernameClaim("someone")
    with pytest.raises(TokenExpired):
        flow.verify(flow.link())


# ---- asking for a new link -----------------------------------------------------------------


def test_resend_after_the_cooldown_replaces_the_link(flow: Flow) -> None:
    flow.sign_up()
    old = flow.link()
    flow.clock.now += RESEND_COOLDOWN_SECONDS
    assert flow.resend().mailed
    new = flow.link()
    assert new != old
    with pytest.raises(TokenInvalid):
        flow.verify(old)
    assert flow.store.emails["ada@example.com"].expires == int(flow.clock.now) + DAY
    assert flow.verify(new)["username"] == "AdaLovelace"


def test_resend_within_the_cooldown_mails_nothing(flow: Flow) -> None:
    flow.sign_up()
    flow.clock.now += RESEND_COOLDOWN_SECONDS - 1
    mails = len(flow.mailer.sent)
    assert not flow.resend().mailed
    assert len(flow.mailer.sent) == mails


@pytest.mark.parametrize("state", ["unknown", "verified"])
def test_resend_to_an_address_nobody_waits_on_mails_nothing(flow: Flow, state: str) -> None:
    if state == "verified":
        flow.sign_up()
        flow.verify(flow.link())
    flow.clock.now += RESEND_COOLDOWN_SECONDS
    mails = len(flow.mailer.sent)
    outcome = flow.resend()
    assert (outcome.mailed, outcome.mail_failed) == (False, False)
    assert len(flow.mailer.sent) == mails


def test_resend_mail_failure_is_not_an_error(flow: Flow) -> None:
    flow.sign_up()
    flow.clock.now += RESEND_COOLDOWN_SECONDS
    flow.mailer.fail = True
    assert flow.resend().mail_failed


def test_resend_after_the_username_was_taken_mails_nothing(flow: Flow) -> None:
    flow.sign_up(username="popular")
    flow.clock.now += DAY + 1
    flow.sign_up(username="popular", email="second@example.com")
    mails = len(flow.mailer.sent)
    assert not flow.resend().mailed
    assert len(flow.mailer.sent) == mails


@pytest.mark.parametrize(
    ("payload", "codes"),
    [
        ({"email": "nope"}, ["email_invalid"]),
        ({}, ["email_required"]),
        ({"email": 1}, ["field_type"]),
    ],
)
def test_resend_malformed_request_is_refused_by_the_rules(
    flow: Flow, payload: dict[str, object], codes: list[str]
) -> None:
    with pytest.raises(InvalidFields) as raised:
        resend_verification(payload, flow.deps, clock=flow.clock)
    assert [p.code for p in raised.value.problems] == codes
