"""The pages of recovering an account: forgot-password (`/forgot-password`) and reset (`/reset`)."""

from __future__ import annotations

import reflex as rx

from signup_web.forgot_state import ForgotState
from signup_web.forgot_view import forgot_content, forgot_title
from signup_web.layout import page_shell
from signup_web.reset_state import ResetState
from signup_web.reset_view import reset_content, reset_title

__all__ = [
    "FORGOT_ON_LOAD",
    "RESET_ON_LOAD",
    "forgot_page",
    "forgot_title",
    "reset_page",
    "reset_title",
]
FORGOT_ON_LOAD = [ForgotState.arrive]
RESET_ON_LOAD = [ResetState.arrive]


def forgot_page() -> rx.Component:
    """Ask for a reset link."""
    return page_shell(forgot_content())


def reset_page() -> rx.Component:
    """The page a mailed reset link opens."""
    return page_shell(reset_content())
