"""The full path over HTTP: local gateway, real handler, DynamoDB Local on disk, mail outbox."""

from __future__ import annotations

import re
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest

from contract.routes import CREATE_USER, RESEND_VERIFICATION, VERIFY_EMAIL
from infra.local.ports import ensure_free, wait_until
from infra.local.stage import MAIL_DIR
from tests.support.integrity import integrity_problems
from tests.support.mailbox import read_outbox, token_in
from tests.support.stage import (
    StageFactory,
    outbox_settled,
    post_all_at_once,
    suite_stage_running,
    table_items,
)
from tests.support.stage_process import LocalStageProcess
from tests.support.users import new_identity, unique_signup

pytestmark = [pytest.mark.integration, pytest.mark.slow]
RACERS = 50
ADDRESS_RACERS = 30


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStageProcess]:
    """A stage of this module's own, so table scans see only these tests' writes."""
    with suite_stage_running(tmp_path_factory.mktemp("race") / "data") as process:
        yield process


def post(stage: LocalStageProcess, path: str, body: dict[str, object]) -> httpx.Response:
    return httpx.post(f"{stage.api_url}{path}", json=body, timeout=30)


def mails_to(stage: LocalStageProcess, address: str) -> list[EmailMessage]:
    """The mails to `address`, once the stage's mail worker has sent what it owes."""
    outbox_settled(stage)
    return [m for m in read_outbox(stage.data_dir / MAIL_DIR) if m["To"] == address]


def link_for(stage: LocalStageProcess, address: str) -> str:
    """The token of the newest link in the stage's outbox for `address`."""
    return token_in([m for m in mails_to(stage, address) if "verify?token=" in str(m)][-1])


def verify(stage: LocalStageProcess, token: str, password: str) -> httpx.Response:
    return post(stage, VERIFY_EMAIL.path, {"token": token, "password": password})


def test_local_stage_writes_each_mail_to_the_outbox_and_prints_the_link(
    stage: LocalStageProcess,
) -> None:
    body = unique_signup()
    assert post(stage, CREATE_USER.path, body).status_code == 200
    (mail,) = mails_to(stage, body["email"])
    assert {"From", "To", "Subject", "Date", "Message-ID"} <= set(mail.keys())
    kinds = {part.get_content_type() for part in mail.walk()}
    assert {"text/plain", "text/html"} <= kinds
    token = token_in(mail)
    assert f"Mail to {body['email']}: http://localhost:3000/verify?token={token}" in (
        stage.log_file.read_text("utf-8")
    )
    files = list((stage.data_dir / MAIL_DIR).glob("*.eml"))
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)


def test_local_stage_users_survive_restart(start_local_stage: StageFactory) -> None:
    stage = start_local_stage()
    alice = unique_signup()
    assert post(stage, CREATE_USER.path, alice).status_code == 200
    verified = verify(stage, link_for(stage, alice["email"]), alice["password"])
    assert verified.status_code == 200, verified.text
    pepper = (stage.data_dir / "pepper").read_bytes()

    stage.stop()
    stage.start()

    # The same link answers the same; the verified username is held.
    assert verify(stage, link_for(stage, alice["email"]), alice["password"]).json() == (
        verified.json()
    )
    other = {**alice, "email": f"other-{alice['email']}"}
    again = post(stage, CREATE_USER.path, other)
    assert again.status_code == 409
    assert [e["code"] for e in again.json()["errors"]] == ["username_taken"]
    # Same pepper after the restart, still private: old hashes stay verifiable.
    assert (stage.data_dir / "pepper").read_bytes() == pepper
    assert stat.S_IMODE((stage.data_dir / "pepper").stat().st_mode) == 0o600


def test_local_stage_50_racers_for_one_username_one_wins(stage: LocalStageProcess) -> None:
    shared = f"race-{new_identity()}"
    # Half the racers send the other letter case: uniqueness is case-insensitive.
    bodies = [unique_signup(username=shared.upper() if i % 2 else shared) for i in range(RACERS)]
    before = table_items(stage)

    responses = post_all_at_once(stage.api_url, bodies)

    assert sorted(r.status_code for r in responses) == [200] + [409] * (RACERS - 1)
    losers = [r for r in responses if r.status_code == 409]
    assert all(r.json()["errors"][0]["code"] == "username_taken" for r in losers)
    added = {pk.split("#")[0] for pk in set(table_items(stage)) - set(before)}
    assert added == {"USER", "USERNAME", "EMAIL", "TOKEN"}
    assert len(set(table_items(stage)) - set(before)) == 4
    assert integrity_problems(table_items(stage).values()) == []


@pytest.mark.parametrize("pending_first", [True, False], ids=["one-claim-pending", "new-address"])
def test_local_stage_30_racers_for_one_address_leave_one_owner(
    stage: LocalStageProcess, pending_first: bool
) -> None:
    address = f"{new_identity('addr')}@example.com"
    first = unique_signup(email=address)
    if pending_first:
        assert post(stage, CREATE_USER.path, first).status_code == 200
    bodies = [unique_signup(email=address) for _ in range(ADDRESS_RACERS)]

    responses = post_all_at_once(stage.api_url, bodies)

    # Every racer gets the enumeration-safe answer; a few may be told to retry.
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 503}, statuses
    assert statuses.count(200) >= 1
    assert all(r.headers["retry-after"] for r in responses if r.status_code == 503)
    items = table_items(stage)
    owner = items[f"EMAIL#{address}"]["userId"]["S"]
    # Exactly one sign-up owns the address; the replaced ones' usernames stay
    # claimed until they expire (releasing them would tell who was pending).
    users = [
        i for pk, i in items.items() if pk.startswith("USER#") and i["emailKey"]["S"] == address
    ]
    assert [u["userId"]["S"] for u in users] == [owner]
    owners_name = users[0]["usernameKey"]["S"]
    assert items[f"USERNAME#{owners_name}"]["userId"]["S"] == owner
    assert integrity_problems(items.values()) == []


def test_local_stage_sign_up_again_replaces_the_pending_claim(stage: LocalStageProcess) -> None:
    body = unique_signup()
    assert post(stage, CREATE_USER.path, body).status_code == 200
    old = link_for(stage, body["email"])
    renamed = {**body, "username": new_identity("renamed")}
    assert post(stage, CREATE_USER.path, renamed).status_code == 200
    # The first username stays claimed until it expires, for everyone.
    held = post(stage, CREATE_USER.path, unique_signup(username=body["username"]))
    assert held.status_code == 409
    assert verify(stage, old, body["password"]).status_code == 400
    verified = verify(stage, link_for(stage, body["email"]), body["password"])
    assert verified.json()["username"] == renamed["username"]


def test_local_stage_verified_address_gets_a_notice_and_keeps_its_account(
    stage: LocalStageProcess,
) -> None:
    body = unique_signup()
    post(stage, CREATE_USER.path, body)
    verify(stage, link_for(stage, body["email"]), body["password"])
    before = table_items(stage)
    other = new_identity("other")
    again = post(stage, CREATE_USER.path, {**body, "username": other})
    assert again.status_code == 200
    assert again.json()["status"] == "pending_verification"
    after = table_items(stage)
    assert {k: v for k, v in after.items() if k in before} == before
    # As after any sign-up, the username is now held.
    assert f"USERNAME#{other}" in after
    notice = mails_to(stage, body["email"])[-1]
    assert "verify?token=" not in str(notice)


def test_local_stage_two_request_probe_answers_alike_for_every_state(
    stage: LocalStageProcess,
) -> None:
    pending, verified = unique_signup(), unique_signup()
    post(stage, CREATE_USER.path, pending)
    post(stage, CREATE_USER.path, verified)
    verify(stage, link_for(stage, verified["email"]), verified["password"])
    for target in (f"{new_identity('new')}@example.com", pending["email"], verified["email"]):
        probe = unique_signup(email=target)
        assert post(stage, CREATE_USER.path, probe).status_code == 200
        second = post(stage, CREATE_USER.path, {**unique_signup(), "username": probe["username"]})
        assert second.status_code == 409, target


def test_local_stage_mail_outbox_briefly_unusable_then_one_mail_that_confirms(
    stage: LocalStageProcess,
) -> None:
    outbox = stage.data_dir / MAIL_DIR
    outbox.mkdir(exist_ok=True)
    outbox.chmod(0o500)  # the worker cannot write a mail file
    body = unique_signup()
    try:
        assert post(stage, CREATE_USER.path, body).status_code == 200
        time.sleep(1)  # a few failed deliveries
    finally:
        outbox.chmod(0o700)
    (mail,) = mails_to(stage, body["email"])
    assert verify(stage, token_in(mail), body["password"]).status_code == 200


def test_local_stage_short_link_life_expires_and_frees_the_claims(
    start_local_stage: StageFactory,
) -> None:
    # Long enough for the worker to mail the link on a loaded machine.
    stage = start_local_stage(env={"VERIFICATION_TTL_SECONDS": "6"})
    body = unique_signup()
    assert post(stage, CREATE_USER.path, body).status_code == 200
    token = link_for(stage, body["email"])
    time.sleep(7)  # past the link's life; DynamoDB's TTL has deleted nothing
    expired = verify(stage, token, body["password"])
    assert expired.status_code == 410
    assert expired.json()["errors"][0]["code"] == "token_expired"
    # The expired claims hold nothing back: the username for someone else,
    # the address for a fresh sign-up whose new link works.
    someone = unique_signup(username=body["username"])
    assert post(stage, CREATE_USER.path, someone).status_code == 200
    again = {**body, "username": new_identity("again")}
    assert post(stage, CREATE_USER.path, again).status_code == 200
    assert verify(stage, link_for(stage, body["email"]), body["password"]).status_code == 200
    assert integrity_problems(table_items(stage).values()) == []


def test_local_stage_resend_answers_202_and_honours_the_cooldown(
    stage: LocalStageProcess,
) -> None:
    body = unique_signup()
    post(stage, CREATE_USER.path, body)
    for address in (body["email"], f"nobody-{body['email']}"):
        reply = post(stage, RESEND_VERIFICATION.path, {"email": address})
        assert reply.status_code == 202
    assert len(mails_to(stage, body["email"])) == 1  # within 60 s of the first mail


def test_local_stage_refuses_a_taken_port_before_starting_anything(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        argv = [sys.executable, "-m", "infra.local", "--no-web", "--api-port", "0"]
        argv += ["--dynamodb-port", str(port), "--data-dir", str(tmp_path / "data")]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0
    assert f"port {port}" in done.stderr
    assert "--dynamodb-port 0" in done.stderr
    assert "Press Ctrl-C" not in done.stdout
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "data" / "dynamodb").exists()  # nothing was started


def test_local_stage_closing_the_terminal_leaves_nothing_behind(tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "infra.local", "--no-web", "--api-port", "0"]
    argv += ["--dynamodb-port", "0", "--data-dir", str(tmp_path / "data")]
    log = (tmp_path / "stage.log").open("w+")
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until(
            lambda: "Press Ctrl-C" in (tmp_path / "stage.log").read_text(),
            proc=proc,
            what="the stage",
            timeout=120,
        )
        output = (tmp_path / "stage.log").read_text()
        ddb_port = int(re.search(r"DynamoDB Local: http://127.0.0.1:(\d+)", output)[1])  # type: ignore[index]
        api_port = int(re.search(r"API: http://127.0.0.1:(\d+)", output)[1])  # type: ignore[index]
        proc.send_signal(signal.SIGHUP)
        assert proc.wait(timeout=30) == 0
        # Both ports are free again: no DynamoDB Local or server outlived the stage.
        ensure_free(ddb_port, "--dynamodb-port")
        ensure_free(api_port, "--api-port")
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()


def test_local_stage_identifier_limit_never_locks_out_another_client(
    start_local_stage: StageFactory,
) -> None:
    stage = start_local_stage(env={"RATE_LIMIT_PER_IDENTIFIER": "2/3600"})
    body = unique_signup()
    # A stranger on one loopback address spends the address's attempts...
    with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2")) as stranger:
        answers = [
            stranger.post(
                f"{stage.api_url}{RESEND_VERIFICATION.path}", json={"email": body["email"]}
            ).status_code
            for _ in range(3)
        ]
    assert answers == [202, 202, 429]
    # ...and the owner, on another, signs up and confirms as if nothing happened.
    assert post(stage, CREATE_USER.path, body).status_code == 200
    assert verify(stage, link_for(stage, body["email"]), body["password"]).status_code == 200
