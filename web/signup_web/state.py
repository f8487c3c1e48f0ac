"""The sign-up form's state: field errors, a strength hint and the request's progress.

The password is never stored here. Its handlers receive the values they check
as arguments (the inputs are uncontrolled, so the browser holds them), keep
only what they derive (an error message, a strength score) and forget the
values when they return.

A field's error shows once the person has typed in it and left it, or has
submitted; from then on it is re-checked as they type. Tabbing through empty
fields marks nothing.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Final

import reflex as rx
from reflex.event import EventHandler, EventSpec
from zxcvbn import zxcvbn

from contract import codes
from contract.rules import FieldProblem, email_problem, password_problem, username_problem
from signup_web import services
from signup_web.api import ApiUnavailable, Rejected, SignupPending, new_idempotency_key
from signup_web.focus import BANNER, ERROR_SUMMARY, focus_on
from signup_web.inbox_state import INBOX_HEADING, InboxState
from signup_web.notices import Notice, unavailable_notice
from signup_web.waits import LimitWait

FORM_FIELDS: Final = ("username", "email", "password", "confirmation")
KEY_REUSED: Final = codes.IDEMPOTENCY_KEY_REUSED
CONFIRMATION_REQUIRED: Final = "Repeat the password."
CONFIRMATION_MISMATCH: Final = "The two passwords differ."
# The too-short message already states the rule its hint gives: show one, not both.
HINT_RESTATED_BY: Final = codes.PASSWORD_TOO_SHORT
STRENGTH_LABELS: Final = ("Very weak", "Weak", "Fair", "Good", "Strong")
# zxcvbn refuses longer input; its estimate has long saturated by then.
_STRENGTH_MAX_CHARS: Final = 72


class SignupState(LimitWait, rx.State):
    """One visitor's sign-up form."""

    username: str = ""
    email: str = ""
    username_error: str = ""
    email_error: str = ""
    password_error: str = ""
    password_error_code: str = ""
    confirmation_error: str = ""
    strength_score: int = -1
    strength_label: str = ""
    strength_hint: str = ""
    show_password: bool = False
    pending: bool = False
    # The error summary: shown by a refused submit, kept until the next one.
    summary_shown: bool = False
    banner: str = ""
    banner_request_id: str = ""
    # Fields the person typed in, and those checked once (re-checked as they type).
    _typed: frozenset[str] = frozenset()
    _touched: frozenset[str] = frozenset()
    # The Idempotency-Key of the submission on screen: kept while the form is
    # unchanged, so submitting again after a lost answer replays the first
    # answer instead of meeting `username_taken`; any edit makes a new one.
    _submission_key: str = ""

    @rx.var
    def has_errors(self) -> bool:
        """Any field shows an error."""
        return self._any_error()

    @rx.var
    def password_hint_shown(self) -> bool:
        """False while the password's error restates its hint."""
        return self.password_error_code != HINT_RESTATED_BY

    @rx.event
    def start_over(self) -> None:
        """A fresh form: each load of the page, and "use a different address".

        A limit that still runs is kept (a reload must not make the button look usable).
        """
        ready_at, counting = self._ready_at, self._counting
        self.reset()  # type: ignore[no-untyped-call]  # Reflex leaves it unannotated
        self._ready_at, self._counting = ready_at, counting
        if self._wait_left(time.time()) > 0:
            self._show_wait(time.time())

    @rx.event
    def identity_typed(self, field: str, value: str) -> None:
        """Username or email edited: re-check it live once it has been checked."""
        self._remember(field, value)
        self._submission_key = ""
        self._typed = self._typed | {field}
        if field in self._touched:
            self._check_identity(field)

    @rx.event
    def identity_left(self, field: str, value: str) -> None:
        """Username or email left: check it, if the person typed in it."""
        self._remember(field, value)
        if field in self._typed:
            self._touched = self._touched | {field}
            self._check_identity(field)

    @rx.event
    def passwords_typed(self, field: str, password: str, confirmation: str) -> None:
        """Password or confirmation edited: update the strength hint and re-check checked fields."""
        self._submission_key = ""
        self._typed = self._typed | {field}
        self._rate_strength(password)
        self._check_passwords(password, confirmation, only_touched=True)

    @rx.event
    def password_left(self, field: str, password: str, confirmation: str) -> None:
        """Password or confirmation left: check it, if the person typed in it."""
        if field in self._typed:
            self._touched = self._touched | {field}
        self._check_passwords(password, confirmation, only_touched=True)

    @rx.event
    def toggle_password(self) -> None:
        """Show or hide both password fields."""
        self.show_password = not self.show_password

    @rx.event
    async def submit(
        self, form_data: dict[str, str]
    ) -> AsyncIterator[EventSpec | EventHandler | None]:
        """Check every field, then call the API once; the password lives only in this call."""
        inbox = await self.get_state(InboxState)
        if self.pending or inbox.address:
            return  # a click queued behind the first one: never a second sign-up
        if self._wait_left(time.time()) > 0:
            yield focus_on(BANNER)  # the banner says how long: nothing is sent
            return
        username, email, password, confirmation = (
            str(form_data.get(name, "")) for name in FORM_FIELDS
        )
        self.username, self.email = username, email
        self._touched = frozenset(FORM_FIELDS)
        self._show(Notice(""))
        self._check_identity("username")
        self._check_identity("email")
        self._check_passwords(password, confirmation, only_touched=False)
        self.summary_shown = self._any_error()
        if self.summary_shown:
            yield focus_on(ERROR_SUMMARY)  # the rules explain what to fix: no request
            return
        self.pending = True
        yield None  # let the browser show the button as busy while the request runs
        try:
            outcome = await self._sign_up(username, email, password)
        except ApiUnavailable as exc:
            self.pending = False
            if exc.rate_limited:
                # The wait in words, counted down; the button unavailable until it is over.
                self.banner_request_id = exc.request_id
                yield self._start_wait(exc.retry_after, time.time())
            else:
                self._show(unavailable_notice(exc, kept="Your details are still in the form."))
            yield focus_on(BANNER)
            return
        self.pending = False
        if isinstance(outcome, SignupPending):
            self.reset()  # type: ignore[no-untyped-call]  # nothing of the form outlives it
            yield inbox.open_after_signup(outcome.email, outcome.expires_at, now=time.time())
            yield focus_on(INBOX_HEADING)
            return
        yield self._refused(outcome)

    async def _sign_up(self, username: str, email: str, password: str) -> SignupPending | Rejected:
        # The API client repeats the call itself while that may help; the key
        # outlives it, for the person's own "try again".
        self._submission_key = self._submission_key or new_idempotency_key()
        for _ in range(2):
            outcome = await services.SIGNUP_API.create_user(
                username=username,
                email=email,
                password=password,
                key=self._submission_key,
                for_address=self.router.session.client_ip,
            )
            if not (isinstance(outcome, Rejected) and KEY_REUSED in outcome.codes):
                break
            # The key went with other details (an edit this state never saw):
            # these details are a new submission.
            self._submission_key = new_idempotency_key()
        return outcome

    def _refused(self, outcome: Rejected) -> EventSpec:
        for field, message in outcome.field_errors.items():
            setattr(self, f"{field}_error", message)
            if field == "password":
                self.password_error_code = outcome.field_codes.get(field, "")
        if outcome.form_errors:
            self._show(Notice(" ".join(outcome.form_errors), outcome.request_id))
        self.summary_shown = self._any_error()
        return focus_on(ERROR_SUMMARY if self.summary_shown else BANNER)

    def _any_error(self) -> bool:
        errors = (self.username_error, self.email_error, self.password_error)
        return any(errors) or bool(self.confirmation_error)

    def _remember(self, field: str, value: str) -> None:
        if field == "username":
            self.username = value
        elif field == "email":
            self.email = value

    def _check_identity(self, field: str) -> None:
        if field == "username":
            self.username_error = _message(username_problem(self.username))
        elif field == "email":
            self.email_error = _message(email_problem(self.email))

    def _check_passwords(self, password: str, confirmation: str, *, only_touched: bool) -> None:
        if not only_touched or "password" in self._touched:
            problem = password_problem(
                password, policy=services.SETTINGS.policy, username=self.username, email=self.email
            )
            self.password_error = _message(problem)
            self.password_error_code = problem.code if problem else ""
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

    def _show(self, notice: Notice) -> None:
        self.banner, self.banner_request_id = notice.text, notice.request_id

    def _wait_changed(self, left: float) -> None:
        # The words stay put while the wait counts down beside them (notice_view).
        self.banner = (
            "Too many attempts. Your details are still in the form."
            if left > 0
            else "You can try again now: your details are still in the form."
        )


def _message(problem: FieldProblem | None) -> str:
    return problem.message if problem else ""


def _confirmation_error(password: str, confirmation: str) -> str:
    if not confirmation:
        return CONFIRMATION_REQUIRED
    return "" if confirmation == password else CONFIRMATION_MISMATCH
