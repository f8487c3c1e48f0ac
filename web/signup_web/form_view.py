"""The sign-up form: error summary and service banner, four fields and the button."""

from __future__ import annotations

from typing import Final

import reflex as rx

from contract.rules.username import MAX_LENGTH, MIN_LENGTH
from signup_web.controls import action_button
from signup_web.fields import error_summary as fields_error_summary
from signup_web.fields import field_error, field_hint, form_group, sign_in_prompt, text_input
from signup_web.notice_view import service_banner
from signup_web.services import SETTINGS
from signup_web.state import SignupState

FORM_HEADING: Final = "Create your account"
USERNAME_HINT: Final = (
    f"{MIN_LENGTH} to {MAX_LENGTH} letters, digits, dots, dashes or underscores,"
    " starting with a letter or digit."
)
PASSWORD_HINT: Final = (
    f"At least {SETTINGS.policy.min_length} characters. A few unrelated words work well."
)
# The inputs are uncontrolled: the browser holds what was typed, so the
# password never has to live in server state. Handlers that need both
# passwords read the other input's current value from the page.
_PASSWORD_VALUE: Final = rx.Var(
    _js_expr="(document.getElementById('password')?.value ?? '')", _var_type=str
)
_CONFIRMATION_VALUE: Final = rx.Var(
    _js_expr="(document.getElementById('confirmation')?.value ?? '')", _var_type=str
)
_SUMMARY_ORDER: Final = (
    ("username", SignupState.username_error),
    ("email", SignupState.email_error),
    ("password", SignupState.password_error),
    ("confirmation", SignupState.confirmation_error),
)


def error_summary() -> rx.Component:
    """Every problem of the form as a link to its field; focused after a refusal."""
    return fields_error_summary(SignupState.summary_shown & SignupState.has_errors, _SUMMARY_ORDER)


def identity_field(field_id: str, label: str, kind: str, autocomplete: str) -> rx.Component:
    """The username or email field, checked once typed in and left, then as the person types."""
    error: rx.Var[str] = getattr(SignupState, f"{field_id}_error")
    hint = [field_hint(field_id, USERNAME_HINT)] if field_id == "username" else []
    described = f"{field_id}-hint {field_id}-error" if hint else f"{field_id}-error"
    control = text_input(
        field_id,
        error=error,
        describedby=described,
        type=kind,
        auto_complete=autocomplete,
        on_change=lambda value: SignupState.identity_typed(field_id, value),
        on_blur=lambda value: SignupState.identity_left(field_id, value),
    )
    return form_group(field_id, label, *hint, field_error(field_id, error), control)


def password_input(
    field_id: str, error: rx.Var[str], describedby: str | rx.Var[str]
) -> rx.Component:
    """A password input; pasting stays allowed (password managers depend on it)."""
    return text_input(
        field_id,
        error=error,
        describedby=describedby,
        type=rx.cond(SignupState.show_password, "text", "password"),
        auto_complete="new-password",
        on_change=lambda _: SignupState.passwords_typed(
            field_id, _PASSWORD_VALUE, _CONFIRMATION_VALUE
        ),
        on_blur=lambda _: SignupState.password_left(field_id, _PASSWORD_VALUE, _CONFIRMATION_VALUE),
    )


def strength_meter() -> rx.Component:
    """zxcvbn's estimate as a meter and a sentence: advice only, the rules decide."""
    score = SignupState.strength_score
    return rx.box(
        rx.cond(
            score >= 0,
            rx.vstack(
                rx.progress(
                    value=(score + 1) * 20,
                    color_scheme=rx.match(score, (0, "red"), (1, "red"), (2, "orange"), "green"),
                    aria_label="Password strength",
                    width="100%",
                ),
                rx.text(
                    "Strength: ",
                    rx.text.strong(SignupState.strength_label),
                    rx.cond(SignupState.strength_hint != "", ". " + SignupState.strength_hint, ""),
                    size="2",
                ),
                spacing="1",
                width="100%",
            ),
        ),
        id="password-strength",
        aria_live="polite",
        width="100%",
    )


def password_fields() -> rx.Component:
    """Password with its rule and strength, then the confirmation."""
    hint_shown = SignupState.password_hint_shown
    described = rx.cond(
        hint_shown,
        "password-hint password-error password-strength",
        "password-error password-strength",
    )
    return rx.fragment(
        form_group(
            "password",
            "Password",
            # The too-short error says what the hint says: one of them at a time.
            rx.cond(hint_shown, field_hint("password", PASSWORD_HINT)),
            field_error("password", SignupState.password_error),
            password_input("password", SignupState.password_error, described),
            strength_meter(),
        ),
        form_group(
            "confirmation",
            "Confirm password",
            field_error("confirmation", SignupState.confirmation_error),
            password_input("confirmation", SignupState.confirmation_error, "confirmation-error"),
        ),
    )


def show_password_toggle() -> rx.Component:
    """Reveal both passwords; a plain button, so it is never part of the form data."""
    return rx.button(
        rx.cond(SignupState.show_password, "Hide passwords", "Show passwords"),
        type="button",
        id="show-password",
        variant="ghost",
        aria_pressed=rx.cond(SignupState.show_password, "true", "false"),
        aria_controls="password confirmation",
        on_click=SignupState.toggle_password,
    )


def submit_button() -> rx.Component:
    """Says what it is doing while the request runs; never disabled then (it keeps focus)."""
    return action_button(
        "Create account",
        "Creating your account…",
        button_id="submit",
        busy=SignupState.pending,
        waiting=SignupState.wait != "",
        wait_id="banner",
        type="submit",
        width="100%",
    )


def signup_form() -> rx.Component:
    """The whole form view."""
    return rx.form(
        rx.vstack(
            rx.heading(FORM_HEADING, size="7", as_="h1", id="form-heading", tab_index=-1),
            rx.text(
                "We will email you a link to confirm your address.",
                size="3",
                class_name="lead",
            ),
            # One place for problems, under the heading and focused when they
            # appear: the person's (the summary) and the service's (the banner,
            # whose "try again" means the button: the form keeps every detail).
            error_summary(),
            service_banner(SignupState.banner, SignupState.banner_request_id, SignupState.wait),
            identity_field("username", "Username", "text", "username"),
            identity_field("email", "Email address", "email", "email"),
            password_fields(),
            show_password_toggle(),
            submit_button(),
            sign_in_prompt("Already have an account?"),
            spacing="4",
            width="100%",
        ),
        on_submit=SignupState.submit,
        reset_on_submit=False,
        # The form shows the API's own rules; the browser's bubbles would pre-empt them.
        no_validate=True,
        # Should a submit ever escape Reflex, POST keeps the password out of the URL.
        method="post",
        aria_busy=rx.cond(SignupState.pending, "true", "false"),
        aria_labelledby="form-heading",
        width="100%",
    )
