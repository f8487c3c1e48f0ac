"""The two mails the service sends, built once as RFC 5322 messages with a text and an HTML part."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Final, Literal
from urllib.parse import urlencode

from contract.dates import readable_epoch, readable_time
from contract.routes import RESET_PAGE, VERIFY_PAGE

VERIFICATION: Final = "verification"
NOTICE: Final = "notice"
RESET: Final = "reset"


@dataclass(frozen=True, slots=True)
class Mail:
    """One message for one recipient; `link` (verification mails only) holds the token."""

    kind: Literal["verification", "notice", "reset"]
    to: str
    message: EmailMessage = field(repr=False)
    link: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class MailContext:
    """What every mail of a stage shares: who sends it and where its links lead."""

    sender: str  # "Display Name <address>"
    web_url: str

    @property
    def product(self) -> str:
        """The sender's display name, e.g. "Example Sign-up"."""
        return parseaddr(self.sender)[0] or "Sign-up"

    def verify_link(self, token: str) -> str:
        """`<WEB_URL>/verify?token=<token>`: the page that asks the person to confirm."""
        return f"{self.web_url.rstrip('/')}{VERIFY_PAGE}?{urlencode({'token': token})}"

    def reset_link(self, token: str) -> str:
        """`<WEB_URL>/reset?token=<token>`: the page that asks for the new password."""
        return f"{self.web_url.rstrip('/')}{RESET_PAGE}?{urlencode({'token': token})}"


def verification_mail(
    context: MailContext,
    *,
    to: str,
    username: str,
    token: str,
    expires: int,
    signed_up: datetime,
    now: datetime,
) -> Mail:
    """The link that proves `to` belongs to the person signing up.

    Neither the subject nor the first line carries the username (anyone can
    choose one, so it must not lead a mail to someone else's address); the
    mail says when the sign-up was made, so its owner can tell it from another.
    """
    link = context.verify_link(token)
    until = readable_epoch(expires)
    when = readable_time(signed_up)
    text = (
        "Hello,\n\n"
        f"Someone signed up for {context.product} with {to} on {when}.\n"
        "If it was you, confirm the address with the link below and the password\n"
        "you chose when signing up:\n\n"
        f"{link}\n\n"
        f"The link works until {until}. The sign-up chose the username {username}.\n"
        "If you did not sign up, ignore this mail: no account is created until the\n"
        "address is confirmed with that sign-up's password.\n"
    )
    body = (
        "<p>Hello,</p>"
        f"<p>Someone signed up for {html.escape(context.product)} with "
        f"<strong>{html.escape(to)}</strong> on {when}. If it was you, confirm the address "
        "with the link below and the password you chose when signing up.</p>"
        f'<p><a href="{html.escape(link)}">Confirm my email address</a></p>'
        f"<p>The link works until {until}. The sign-up chose the username "
        f"{html.escape(username)}. If you did not sign up, ignore this mail: no account is "
        "created until the address is confirmed with that sign-up's password.</p>"
    )
    subject = f"Confirm your email address for {context.product}"
    message = _message(context, to=to, subject=subject, text=text, html_body=body, now=now)
    return Mail(VERIFICATION, to, message, link)


def notice_mail(context: MailContext, *, to: str, signed_up: datetime, now: datetime) -> Mail:
    """Sent instead of a link when the address already has an account."""
    when = readable_time(signed_up)
    text = (
        f"Hello,\n\nSomeone tried to sign up for {context.product} with {to} on {when}.\n"
        "This address already has an account, so nothing was changed and no new\n"
        "account was made. If it was you, use your existing account. If it was not,\n"
        "you can ignore this mail.\n"
    )
    body = (
        f"<p>Hello,</p><p>Someone tried to sign up for {html.escape(context.product)} with "
        f"<strong>{html.escape(to)}</strong> on {when}.</p>"
        "<p>This address already has an account, so nothing was changed and no new account "
        "was made. If it was you, use your existing account. If it was not, you can ignore "
        "this mail.</p>"
    )
    subject = f"Someone tried to sign up for {context.product} with your address"
    message = _message(context, to=to, subject=subject, text=text, html_body=body, now=now)
    return Mail(NOTICE, to, message)


def reset_mail(context: MailContext, *, to: str, token: str, expires: int, now: datetime) -> Mail:
    """The link that lets the owner of `to` choose a new password (the page asks for it; only
    its form's POST changes anything, so a scanner that opens the link changes nothing)."""
    link = context.reset_link(token)
    until = readable_epoch(expires)
    text = (
        f"Hello,\n\nSomeone asked to reset the password of your {context.product} account.\n"
        "If it was you, choose a new password with the link below:\n\n"
        f"{link}\n\n"
        f"The link works once, until {until}. If you did not ask, ignore this mail:\n"
        "your password stays as it is.\n"
    )
    body = (
        f"<p>Hello,</p><p>Someone asked to reset the password of your "
        f"{html.escape(context.product)} account. If it was you, choose a new password with "
        "the link below.</p>"
        f'<p><a href="{html.escape(link)}">Choose a new password</a></p>'
        f"<p>The link works once, until {until}. If you did not ask, ignore this mail: your "
        "password stays as it is.</p>"
    )
    subject = f"Reset your {context.product} password"
    message = _message(context, to=to, subject=subject, text=text, html_body=body, now=now)
    return Mail(RESET, to, message, link)


def password_changed_mail(context: MailContext, *, to: str, now: datetime) -> Mail:
    """The notice after a reset: no link that could undo anything (a thief would follow it too)."""
    when = readable_time(now)
    text = (
        f"Hello,\n\nYour password was changed for {context.product} on {when}, and every\n"
        "device that was signed in has been signed out.\n"
        "If you did not do this, ask for a password reset on the sign-in page now.\n"
    )
    body = (
        f"<p>Hello,</p><p>Your password was changed for {html.escape(context.product)} on "
        f"{when}, and every device that was signed in has been signed out.</p>"
        "<p>If you did not do this, ask for a password reset on the sign-in page now.</p>"
    )
    subject = f"Your {context.product} password was changed"
    message = _message(context, to=to, subject=subject, text=text, html_body=body, now=now)
    return Mail(NOTICE, to, message)


def account_deleted_mail(context: MailContext, *, to: str, now: datetime) -> Mail:
    """The confirmation that an account and what it held are gone."""
    when = readable_time(now)
    text = (
        f"Hello,\n\nYour {context.product} account was deleted on {when}: its profile,\n"
        "its username and address, and every session are gone. You can sign up again\n"
        "with this address at any time.\n"
    )
    body = (
        f"<p>Hello,</p><p>Your {html.escape(context.product)} account was deleted on {when}: "
        "its profile, its username and address, and every session are gone. You can sign up "
        "again with this address at any time.</p>"
    )
    subject = f"Your {context.product} account was deleted"
    message = _message(context, to=to, subject=subject, text=text, html_body=body, now=now)
    return Mail(NOTICE, to, message)


def _message(
    context: MailContext, *, to: str, subject: str, text: str, html_body: str, now: datetime
) -> EmailMessage:
    name, address = parseaddr(context.sender)
    message = EmailMessage()
    message["From"] = Address(display_name=name, addr_spec=address)
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or None)
    page = f"<!doctype html><html><body>{html_body}</body></html>"
    # Plain 7-bit when the text allows it, so the link stays whole and readable
    # in the raw message (an .eml in the local outbox); else quoted-printable.
    message.set_content(text, cte=_encoding(text))
    message.add_alternative(page, subtype="html", cte=_encoding(page))
    return message


def _encoding(text: str) -> str:
    # RFC 5322 allows lines of up to 998 characters; ours are far shorter.
    return "7bit" if text.isascii() else "quoted-printable"
