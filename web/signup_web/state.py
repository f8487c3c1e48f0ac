"""The sign-up form's state: field errors, a strength hint and the request's progress.

The password is never stored here. Its handlers receive the values they check
as arguments (the inputs are uncontrolled, so the browser holds them), keep
only what they derive (an error message, a strength score) and forget the
values when they return.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Final

import reflex as rx
from zxcvbn import zxcvbn

from backend.rules import email_problem, password_problem, username_problem
from signup_web.api import ApiUnavailable, Registered, Rejected, SignupApi
from signup_web.settings import WebSettings

SETTINGS: Final = WebSettings.from_env(os.environ)
SIGNUP_API: Final = SignupApi(SETTINGS.api_url)

FORM_FIELDS: Final = ("username", "email", "password", "confirmation")
CONFIRMATION_REQUIRED: Final = "Repeat the password."
CONFIRMATION_MISMATCH: Final = "The two passwords differ."
STRENGTH_LABELS: Final = ("Very weak", "Weak", "Fair", "Good", "Strong")
# zxcvbn refuses longer input; its estimate has long saturated by then.
_STRENGTH_MAX_CHARS: Final = 72


class SignupState(rx.State):
    """One visitor's sign-up form."""

    username: str = ""
    email: str = ""
    username_error: str = ""
    email_error: str = ""
    password_error: str = ""
    confirmation_error: str = ""
    strength_score: int = -1
    strength_label: str = ""
    strength_hint: str = ""
    show_password: bool = False
    pending: bool = False
    banner: str = ""
    banner_request_id: str = ""
    banner_retryable: bool = False
    registered: bool = False
    new_user_id: str = ""
    new_username: str = ""
    new_email: str = ""
    # Fields the user has left once: from then on they are checked as they type.
    _touched: frozenset[str] = frozenset()

    @rx.event
    def identity_typed(self, field: str, value: str) -> None:
        """Username or email edited: re-check it live once the user has left it before."""
        self._remember(field, value)
        if field in self._touched:
            self._check_identity(field)

    @rx.event
    def identity_left(self, field: str, value: str) -> None:
        """Username or email left: check it."""
        self._remember(field, value)
        self._touch(field)
        self._check_identity(field)

    @rx.event
    def passwords_typed(self, password: str, confirmation: str) -> None:
        """Password or confirmation edited: update the strength hint and re-check left fields."""
        self._rate_strength(password)
        self._check_passwords(password, confirmation, only_touched=True)

    @rx.event
    def password_left(self, field: str, password: str, confirmation: str) -> None:
        """Password or confirmation left: check both that the user has visited."""
        self._touch(field)
        self._check_passwords(password, confirmation, only_touched=True)

    @rx.event
    def toggle_password(self) -> None:
        """Show or hide both password fields."""
        self.show_password = not self.show_password

    @rx.event
    async def submit(self, form_data: dict[str, str]) -> AsyncIterator[None]:
        """Check every field, then call the API once; the password lives only in this call."""
        if self.pending:
            return
        username, email, password, confirmation = (
            str(form_data.get(name, "")) for name in FORM_FIELDS
        )
        self.username, self.email = username, email
        self._touched = frozenset(FORM_FIELDS)
        self._clear_banner()
        self._check_identity("username")
        self._check_identity("email")
        self._check_passwords(password, confirmation, only_touched=False)
        if self._has_errors():
            return  # the rules already explain what to fix: no request
        self.pending = True
        yield  # let the browser disable the button while the request runs
        try:
            outcome = await SIGNUP_API.create_user(
                username=username, email=email, password=password
            )
        except ApiUnavailable as exc:
            self._show_banner(_unavailable_text(exc), exc.request_id, retryable=True)
        else:
            self._apply(outcome)
        finally:
            self.pending = False

    def _remember(self, field: str, value: str) -> None:
        if field == "username":
            self.username = value
        elif field == "email":
            self.email = value

    def _touch(self, field: str) -> None:
        self._touched = self._touched | {field}

    def _check_identity(self, field: str) -> None:
        if field == "username":
            problem = username_problem(self.username)
            self.username_error = problem.message if problem else ""
        elif field == "email":
            problem = email_problem(self.email)
            self.email_error = problem.message if problem else ""

    def _check_passwords(self, password: str, confirmation: str, *, only_touched: bool) -> None:
        if not only_touched or "password" in self._touched:
            problem = password_problem(
                password, policy=SETTINGS.policy, username=self.username, email=self.email
            )
            self.password_error = problem.message if problem else ""
        if not only_touched or "confirmation" in self._touched:
            self.confirmation_error = _confirmation_error(password, confirmation)

    def _rate_strength(self, password: str) -> None:
        if not password:
            self.strength_score, self.strength_label, self.strength_hint = -1, "", ""
            return
        result = zxcvbn(password[:_STRENGTH_MAX_CHARS], user_inputs=[self.username, self.email])
        feedback = result["feedback"]
        self.strength_score = int(result["score"])
        self.strength_label = STRENGTH_LABELS[self.strength_score]
        self.strength_hint = feedback["warning"] or next(iter(feedback["suggestions"]), "")

    def _has_errors(self) -> bool:
        errors = (self.username_error, self.email_error, self.password_error)
        return any(errors) or bool(self.confirmation_error)

    def _apply(self, outcome: Registered | Rejected) -> None:
        if isinstance(outcome, Registered):
            self.registered = True
            self.new_user_id = outcome.user_id
            self.new_username = outcome.username
            self.new_email = outcome.email
            return
        for field, message in outcome.field_errors.items():
            setattr(self, f"{field}_error", message)
        if outcome.form_errors:
            self._show_banner(" ".join(outcome.form_errors), outcome.request_id, retryable=False)

    def _show_banner(self, text: str, request_id: str, *, retryable: bool) -> None:
        self.banner, self.banner_request_id, self.banner_retryable = text, request_id, retryable

    def _clear_banner(self) -> None:
        self._show_banner("", "", retryable=False)


def _confirmation_error(password: str, confirmation: str) -> str:
    if not confirmation:
        return CONFIRMATION_REQUIRED
    return "" if confirmation == password else CONFIRMATION_MISMATCH


def _unavailable_text(exc: ApiUnavailable) -> str:
    wait = f" Try again in {exc.retry_after} s." if exc.retry_after.isdigit() else ""
    return f"{exc.reason} Your details are still in the form: try again.{wait}"
