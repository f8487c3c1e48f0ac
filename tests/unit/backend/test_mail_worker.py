"""The mail worker: each outbox item sent exactly once, retried until sent or expired, capped per
client address, and fed by stream records of the shape Lambda hands it."""

from __future__ import annotations

import pytest

from backend.delivery import MailBusy
from backend.errors import MailUnavailable
from backend.store.outbox import DynamoDBOutbox
from contract.limits import RateLimit
from tests.support.events import api_event
from tests.support.flow import DAY, Flow
from tests.support.moto import TABLE, MotoFunction, lambda_context, stream_record
from tests.support.users import signup


@pytest.fixture
def flow(function: MotoFunction) -> Flow:
    return Flow(function.dynamodb)


def test_worker_sends_each_mail_once_however_often_its_record_comes(flow: Flow) -> None:
    flow.sign_up()
    (pk,) = flow.outbox_keys()
    assert [flow.worker.deliver(pk) for _ in range(3)] == ["sent", "gone", "gone"]
    assert len(flow.mailer.sent) == 1
    assert flow.outbox_keys() == []


def test_worker_retries_a_failed_send_until_it_goes_out(flow: Flow) -> None:
    flow.sign_up()
    (pk,) = flow.outbox_keys()
    flow.mailer.fail = True
    for _ in range(2):
        with pytest.raises(MailUnavailable):
            flow.worker.deliver(pk)
    assert flow.outbox_keys() == [pk]  # kept, its lease given back
    flow.mailer.fail = False
    assert flow.worker.deliver(pk) == "sent"
    assert flow.worker.deliver(pk) == "gone"
    assert len(flow.mailer.sent) == 1
    assert flow.verify(flow.link())["email"] == "ada@example.com"


def test_worker_drops_a_mail_whose_link_expired(flow: Flow) -> None:
    flow.sign_up()
    flow.mailer.fail = True
    (pk,) = flow.outbox_keys()
    with pytest.raises(MailUnavailable):
        flow.worker.deliver(pk)
    flow.clock.now += DAY
    assert flow.worker.deliver(pk) == "expired"
    assert flow.outbox_keys() == [] and flow.mailer.sent == []


def test_worker_leaves_a_mail_another_delivery_is_sending(flow: Flow) -> None:
    flow.sign_up()
    (pk,) = flow.outbox_keys()
    outbox = DynamoDBOutbox(table_name=TABLE, client=flow.dynamodb)
    item = outbox.item(pk)
    assert item is not None
    assert outbox.lease(item, now=int(flow.clock.now), seconds=60) == 1
    with pytest.raises(MailBusy):
        flow.worker.deliver(pk)
    flow.clock.now += 61  # that delivery died: its lease runs out
    assert flow.worker.deliver(pk) == "sent"
    assert len(flow.mailer.sent) == 1


def test_worker_caps_the_mails_one_client_address_causes(function: MotoFunction) -> None:
    flow = Flow(function.dynamodb, mails_per_address=RateLimit(2, 86400))
    for number in range(3):
        flow.sign_up(username=f"spam{number}", email=f"victim{number}@example.com")
    assert sorted(flow.deliver()) == ["capped", "sent", "sent"]
    assert len(flow.mailer.sent) == 2


def test_worker_handler_answers_partial_batch_failures(function: MotoFunction) -> None:
    assert function.invoke(api_event(signup())).status == 200
    (item,) = function.outbox()
    records = [stream_record(item, 1), stream_record(item, 2)]
    answer = function.worker({"Records": records}, lambda_context())
    assert answer == {"batchItemFailures": []}
    assert len(function.mails("ada@example.com")) == 1  # the second record found it sent


def test_worker_handler_reports_the_records_it_could_not_send(
    function: MotoFunction, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backend.mailer import SesMailer

    def refuse(self: SesMailer, mail: object) -> None:
        raise MailUnavailable("SES Throttling")

    assert function.invoke(api_event(signup())).status == 200
    monkeypatch.setattr(SesMailer, "send", refuse)
    (item,) = function.outbox()
    answer = function.worker({"Records": [stream_record(item, 7)]}, lambda_context())
    assert answer == {"batchItemFailures": [{"itemIdentifier": f"{7:021d}"}]}
    monkeypatch.undo()
    assert function.deliver() == []
    assert len(function.mails("ada@example.com")) == 1


def test_worker_ignores_records_of_other_items(function: MotoFunction) -> None:
    assert function.invoke(api_event(signup())).status == 200
    user = next(i for i in function.items() if i["pk"]["S"].startswith("USER#"))
    assert function.worker({"Records": [stream_record(user, 1)]}, lambda_context()) == {
        "batchItemFailures": []
    }


def test_api_handler_imports_nothing_of_mail() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, backend.handler; "
        "mail = {'backend.mailer', 'backend.messages', 'backend.mail_worker', 'backend.delivery',"
        " 'backend.store.outbox', 'zxcvbn'}; "
        "print(sorted(mail & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
