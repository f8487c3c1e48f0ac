"""The sign-up page as small component functions over SignupState."""

from __future__ import annotations

from typing import Final

import reflex as rx

from signup_web.state import SETTINGS, SignupState

# The inputs are uncontrolled: the browser holds what was typed, so the
# password never has to live in server state. Handlers that need both
# passwords read the other input's current value from the page.
_PASSWORD_VALUE: Final = rx.Var(
    _js_expr="(document.getElementById('password')?.value ?? '')", _var_type=str
)
_CONFIRMATION_VALUE: Final = rx.Var(
    _js_expr="(document.getElementById('confirmation')?.value ?? '')", _var_type=str
)


def field_error(field_id: str, message: rx.Var[str]) -> rx.Component:
    """The field's error text; a polite live region, so screen readers hear it once."""
    return rx.text(
        message,
        id=f"{field_id}-error",
        aria_live="polite",
        size="2",
        color=rx.color("red", 11),
        min_height="1.25em",
    )


def field_hint(field_id: str, text: str) -> rx.Component:
    """Guidance shown before the user types, linked to the input by id."""
    return rx.text(text, id=f"{field_id}-hint", size="2", color_scheme="gray")


def labelled(field_id: str, label: str, *children: rx.Component) -> rx.Component:
    """A real <label> above the field's control, hint, error and extras."""
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style={"fontWeight": "500"}),
        *children,
        spacing="1",
        width="100%",
    )


def _error_of(field_id: str) -> rx.Var[str]:
    error: rx.Var[str] = getattr(SignupState, f"{field_id}_error")
    return error


def identity_input(field_id: str, label: str, kind: str, autocomplete: str) -> rx.Component:
    """The username or email input, checked when left and, after that, as the user types."""
    error = _error_of(field_id)
    control = rx.input(
        id=field_id,
        name=field_id,
        type=kind,
        auto_complete=autocomplete,
        spell_check=False,
        auto_capitalize="none",
        aria_invalid=rx.cond(error != "", "true", "false"),
        aria_describedby=f"{field_id}-error",
        on_change=lambda value: SignupState.identity_typed(field_id, value),
        on_blur=lambda value: SignupState.identity_left(field_id, value),
        size="3",
        width="100%",
    )
    return labelled(field_id, label, control, field_error(field_id, error))


def password_input(field_id: str, describedby: str) -> rx.Component:
    """A password input; pasting stays allowed (password managers depend on it)."""
    error = _error_of(field_id)
    return rx.input(
        id=field_id,
        name=field_id,
        type=rx.cond(SignupState.show_password, "text", "password"),
        auto_complete="new-password",
        spell_check=False,
        auto_capitalize="none",
        aria_invalid=rx.cond(error != "", "true", "false"),
        aria_describedby=describedby,
        on_change=lambda _: SignupState.passwords_typed(_PASSWORD_VALUE, _CONFIRMATION_VALUE),
        on_blur=lambda _: SignupState.password_left(field_id, _PASSWORD_VALUE, _CONFIRMATION_VALUE),
        size="3",
        width="100%",
    )


def strength_meter() -> rx.Component:
    """zxcvbn's estimate as a meter and a sentence: advice only, the rules decide."""
    score = SignupState.strength_score
    return rx.cond(
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
            id="password-strength",
            aria_live="polite",
            spacing="1",
            width="100%",
        ),
    )


def password_fields() -> rx.Component:
    """Password with its rule and strength, then the confirmation."""
    rule = f"At least {SETTINGS.policy.min_length} characters; a few unrelated words work well."
    return rx.fragment(
        labelled(
            "password",
            "Password",
            field_hint("password", rule),
            password_input("password", "password-hint password-error password-strength"),
            field_error("password", SignupState.password_error),
            strength_meter(),
        ),
        labelled(
            "confirmation",
            "Confirm password",
            password_input("confirmation", "confirmation-error"),
            field_error("confirmation", SignupState.confirmation_error),
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


def banner() -> rx.Component:
    """A problem with the whole request; retryable ones offer to send the same details again."""
    return rx.cond(
        SignupState.banner != "",
        rx.callout.root(
            rx.callout.text(SignupState.banner),
            rx.cond(
                SignupState.banner_request_id != "",
                rx.callout.text("Request id: ", rx.code(SignupState.banner_request_id), size="1"),
            ),
            rx.cond(
                SignupState.banner_retryable,
                rx.button(
                    "Try again",
                    type="submit",
                    variant="soft",
                    id="retry",
                    disabled=_cannot_submit(),
                ),
            ),
            id="banner",
            role="alert",
            color_scheme="red",
            width="100%",
        ),
    )


def _cannot_submit() -> rx.Var[bool]:
    # Until the page is hydrated a click would submit the prerendered form
    # natively, outside Reflex; while a request runs, a click would send a second one.
    return SignupState.pending | ~rx.State.is_hydrated


def submit_button() -> rx.Component:
    """Disabled until the page is live and while a request is pending: one click, one request."""
    return rx.button(
        "Create account",
        type="submit",
        id="submit",
        loading=SignupState.pending,
        disabled=_cannot_submit(),
        size="3",
        width="100%",
    )


def signup_form() -> rx.Component:
    """The four fields, the banner and the button."""
    return rx.form(
        rx.vstack(
            rx.heading("Create your account", size="6", as_="h1"),
            identity_input("username", "Username", "text", "username"),
            identity_input("email", "Email address", "email", "email"),
            password_fields(),
            show_password_toggle(),
            banner(),
            submit_button(),
            spacing="3",
            width="100%",
        ),
        on_submit=SignupState.submit,
        reset_on_submit=False,
        # The form shows the API's own rules; the browser's bubbles would pre-empt them.
        no_validate=True,
        # Should a submit ever escape Reflex, POST keeps the password out of the URL.
        method="post",
        aria_busy=rx.cond(SignupState.pending, "true", "false"),
        width="100%",
    )


def success_view() -> rx.Component:
    """Shown once the API created the user; names them."""
    return rx.vstack(
        rx.heading("Welcome, ", SignupState.new_username, "!", size="6", as_="h1"),
        rx.text(
            "Your account ",
            rx.text.strong(SignupState.new_username),
            " was created with ",
            SignupState.new_email,
            ".",
        ),
        rx.text("User id: ", rx.code(SignupState.new_user_id), size="1", color_scheme="gray"),
        id="success",
        role="status",
        spacing="3",
    )


def signup_page() -> rx.Component:
    """The whole page: a narrow card that takes the full width on a phone."""
    return rx.center(
        rx.card(
            rx.cond(SignupState.registered, success_view(), signup_form()),
            width="100%",
            max_width="28rem",
            size="3",
        ),
        padding="1rem",
        min_height="100vh",
    )
