"""Pure sign-up rules with no AWS imports: the API and the web form share them."""

from contract.rules.email import email_key, email_problem, normalize_email
from contract.rules.link_requests import (
    ValidAddress,
    ValidConfirmation,
    validate_resend_request,
    validate_token_request,
)
from contract.rules.password import (
    DEFAULT_MIN_LENGTH,
    DEFAULT_MIN_SCORE,
    PasswordPolicy,
    normalize_password,
    password_problem,
    strength_score,
)
from contract.rules.problems import FieldProblem, InvalidFields, InvalidSignup
from contract.rules.signup import SIGNUP_FIELDS, ValidSignup, validate_signup
from contract.rules.username import normalize_username, username_key, username_problem

__all__ = [
    "DEFAULT_MIN_LENGTH",
    "DEFAULT_MIN_SCORE",
    "SIGNUP_FIELDS",
    "FieldProblem",
    "InvalidFields",
    "InvalidSignup",
    "PasswordPolicy",
    "ValidAddress",
    "ValidConfirmation",
    "ValidSignup",
    "email_key",
    "email_problem",
    "normalize_email",
    "normalize_password",
    "normalize_username",
    "password_problem",
    "strength_score",
    "username_key",
    "username_problem",
    "validate_resend_request",
    "validate_signup",
    "validate_token_request",
]
