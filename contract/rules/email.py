"""Email rules: syntax and normalisation by email-validator, never a DNS lookup.

Only addresses SES can deliver to pass: the local part must be ASCII (SES
does not support SMTPUTF8), and an internationalised domain is stored, keyed
and mailed in its ASCII (punycode) form.
"""

from __future__ import annotations

import unicodedata

from email_validator import EmailNotValidError, validate_email

from contract import codes
from contract.rules.problems import FieldProblem


def _validated(raw: str) -> str:
    # NFKC first so that compatibility variants (fullwidth letters, ligatures)
    # give the same address and so the same uniqueness key.
    address = unicodedata.normalize("NFKC", raw)
    # check_deliverability=False: no DNS in the request path (latency, and an
    # outage of a resolver must not stop sign-ups).
    # strict: also enforce the 64-character local-part limit of RFC 5321.
    # allow_smtputf8=False: a non-ASCII local part is refused, not accepted
    # and then lost at the mail provider.
    checked = validate_email(address, check_deliverability=False, strict=True, allow_smtputf8=False)
    return checked.ascii_email or checked.normalized


def normalize_email(raw: str) -> str:
    """The stored form of a valid address (domain lower-cased, in punycode, `+tags` kept)."""
    return _validated(raw)


def email_key(raw: str) -> str:
    """The uniqueness key of a valid address: its normalised form, case-folded."""
    return _validated(raw).casefold()


def email_problem(raw: str) -> FieldProblem | None:
    """The problem with `raw` as an email address, or None when it is valid."""
    if not raw.strip():
        return FieldProblem("email", codes.EMAIL_REQUIRED, "Enter your email address.")
    try:
        _validated(raw)
    except EmailNotValidError as exc:
        return FieldProblem("email", codes.EMAIL_INVALID, str(exc))
    return None
