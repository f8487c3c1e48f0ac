"""Bounds and waits that a stack file, the function and the page must all hold to."""

from __future__ import annotations

from typing import Final

# bcrypt's own cost bounds; each stage narrows them in its stack file.
MIN_BCRYPT_COST: Final = 4
MAX_BCRYPT_COST: Final = 31
DEFAULT_BCRYPT_COST: Final = 12
# A stage secret (pepper, client-address secret) shorter than this is refused.
MIN_SECRET_BYTES: Final = 32
# How long a verification link may live at most, and by default.
MAX_VERIFICATION_TTL_SECONDS: Final = 7 * 24 * 3600
DEFAULT_VERIFICATION_TTL_SECONDS: Final = 24 * 3600
# How long a password-reset link may live at most, and by default.
MAX_RESET_TTL_SECONDS: Final = 24 * 3600
DEFAULT_RESET_TTL_SECONDS: Final = 3600
# At most one reset mail a minute per address.
RESET_COOLDOWN_SECONDS: Final = 60
# At most one new verification link a minute per address; the page counts
# the same wait down before it offers the button again.
RESEND_COOLDOWN_SECONDS: Final = 60
# A DNS hostname (lower case): mail domains, page domains.
HOSTNAME_PATTERN: Final = r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
# Access tokens live 15 minutes at most (nothing revokes one before it
# expires); a session's refresh tokens 30 days by default, a year at most.
MAX_ACCESS_TOKEN_SECONDS: Final = 15 * 60
DEFAULT_REFRESH_TOKEN_SECONDS: Final = 30 * 24 * 3600
MAX_REFRESH_TOKEN_SECONDS: Final = 365 * 24 * 3600
