"""Every error code the API answers with: stable API, matched by clients, never reworded.

A problem's `code` is one of these; `<field>_required` is built from the
field's name (`required`). The page matches on these names, never on wording.
"""

from __future__ import annotations

from typing import Final

# The request itself (route, media type, body).
ROUTE_NOT_FOUND: Final = "route_not_found"
METHOD_NOT_ALLOWED: Final = "method_not_allowed"
UNSUPPORTED_MEDIA_TYPE: Final = "unsupported_media_type"
PAYLOAD_TOO_LARGE: Final = "payload_too_large"
BODY_REQUIRED: Final = "body_required"
BODY_INVALID_JSON: Final = "body_invalid_json"
BODY_TOO_DEEP: Final = "body_too_deep"
BODY_NOT_OBJECT: Final = "body_not_object"
FIELD_DUPLICATE: Final = "field_duplicate"
FIELD_UNKNOWN: Final = "field_unknown"
FIELD_TYPE: Final = "field_type"

# The fields' rules.
USERNAME_REQUIRED: Final = "username_required"
USERNAME_TOO_SHORT: Final = "username_too_short"
USERNAME_TOO_LONG: Final = "username_too_long"
USERNAME_INVALID: Final = "username_invalid"
USERNAME_RESERVED: Final = "username_reserved"
USERNAME_TAKEN: Final = "username_taken"
EMAIL_REQUIRED: Final = "email_required"
EMAIL_INVALID: Final = "email_invalid"
PASSWORD_REQUIRED: Final = "password_required"  # noqa: S105 - an error code
PASSWORD_TOO_SHORT: Final = "password_too_short"  # noqa: S105 - an error code
PASSWORD_TOO_LONG: Final = "password_too_long"  # noqa: S105 - an error code
PASSWORD_COMMON: Final = "password_common"  # noqa: S105 - an error code
PASSWORD_SIMILAR: Final = "password_similar"  # noqa: S105 - an error code
TOKEN_REQUIRED: Final = "token_required"  # noqa: S105 - an error code
TOKEN_INVALID: Final = "token_invalid"  # noqa: S105 - an error code
TOKEN_EXPIRED: Final = "token_expired"  # noqa: S105 - an error code
PASSWORD_WEAK: Final = "password_weak"  # noqa: S105 - an error code
PASSWORD_MISMATCH: Final = "password_mismatch"  # noqa: S105 - an error code

# Signing in and sessions.
CREDENTIALS_INVALID: Final = "credentials_invalid"
EMAIL_UNVERIFIED: Final = "email_unverified"
REFRESH_TOKEN_INVALID: Final = "refresh_token_invalid"  # noqa: S105 - an error code

# Limits, retries and the service's own state.
RATE_LIMITED: Final = "rate_limited"
IDEMPOTENCY_KEY_INVALID: Final = "idempotency_key_invalid"
IDEMPOTENCY_KEY_REUSED: Final = "idempotency_key_reused"
REQUEST_IN_PROGRESS: Final = "request_in_progress"
MAIL_UNAVAILABLE: Final = "mail_unavailable"
STORE_UNAVAILABLE: Final = "store_unavailable"
INTERNAL_ERROR: Final = "internal_error"


def required(field: str) -> str:
    """The code for a missing `field`, e.g. `email_required`."""
    return f"{field}_required"
