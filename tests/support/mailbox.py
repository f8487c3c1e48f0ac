"""A mailer that keeps what it is given, and reads links back out of mails."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from backend.errors import MailUnavailable
from backend.messages import Mail

_LINK = re.compile(r"https?://\S+/verify\?token=([A-Za-z0-9_-]+)")
_RESET_LINK = re.compile(r"https?://\S+/reset\?token=([A-Za-z0-9_-]+)")


class RecordingMailer:
    """Keeps every mail; `fail` makes the next sends raise MailUnavailable."""

    def __init__(self) -> None:
        self.sent: list[Mail] = []
        self.fail = False

    def send(self, mail: Mail) -> None:
        """Keep `mail`, or fail as SES would."""
        if self.fail:
            raise MailUnavailable("SES Throttling")
        self.sent.append(mail)

    def to(self, address: str) -> list[Mail]:
        """The mails sent to `address`, oldest first."""
        return [mail for mail in self.sent if mail.to == address]


def token_in(message: EmailMessage) -> str:
    """The verification token in a message's text part (as a person would follow it)."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = _LINK.search(body.get_content())
    assert found is not None, "no verification link in the mail"
    return found.group(1)


def reset_token_in(message: EmailMessage) -> str | None:
    """The password-reset token in a message's text part, or None when it has no reset link."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = _RESET_LINK.search(body.get_content())
    return found.group(1) if found else None


def read_outbox(directory: Path) -> list[EmailMessage]:
    """Every `.eml` file in a local outbox, oldest first, parsed as RFC 5322."""
    files = sorted(path for path in directory.glob("[!.]*.eml"))  # not one being written
    return [
        message_from_bytes(path.read_bytes(), policy=policy.default)  # type: ignore[misc]
        for path in files
    ]
