"""Handing mails over: to SES v2 on AWS, to `.eml` files in a local outbox on the local stage."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as EndpointUnreachable

from backend.errors import MailUnavailable
from backend.messages import Mail


class Mailer(Protocol):
    """Sends one mail or raises MailUnavailable."""

    def send(self, mail: Mail) -> None:
        """Hand `mail` over for delivery."""


class SesMailer:
    """SES v2 `SendEmail` with the raw message, through the stage's configuration set."""

    def __init__(self, client: Any, *, sender: str, configuration_set: str) -> None:
        self._client = client
        self._from = parseaddr(sender)[1]
        self._configuration_set = configuration_set

    def send(self, mail: Mail) -> None:
        """One SendEmail; SES's refusals and outages become MailUnavailable, by error code only."""
        try:
            self._client.send_email(
                # Also what the function's IAM policy checks (ses:FromAddress).
                FromEmailAddress=self._from,
                Destination={"ToAddresses": [mail.to]},
                Content={"Raw": {"Data": mail.message.as_bytes()}},
                ConfigurationSetName=self._configuration_set,
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "ClientError")
            raise MailUnavailable(f"SES {code}") from exc
        except (EndpointUnreachable, HTTPClientError) as exc:
            raise MailUnavailable(f"SES {type(exc).__name__}") from exc


class OutboxMailer:
    """Writes each mail as an RFC 5322 `.eml` file (mode 0600: links hold tokens)."""

    def __init__(self, directory: Path, *, announce: Callable[[Mail], None] | None = None) -> None:
        self._directory = directory
        self._announce = announce

    def send(self, mail: Mail) -> None:
        """Write `<time>-<id>.eml` atomically, then tell the announcer (the local stage prints)."""
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
        try:
            self._directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            partial = self._directory / f".{name}"
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(mail.message.as_bytes())
            os.replace(partial, self._directory / name)
        except OSError as exc:
            raise MailUnavailable(f"outbox {type(exc).__name__}") from exc
        if self._announce is not None:
            self._announce(mail)
