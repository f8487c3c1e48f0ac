"""The name of every environment variable either deployable reads: one spelling each.

The function's are read by `backend/config.py` (`Settings.from_env`) and
written by its `to_env`; the page's by `web/signup_web/settings.py`
(`WebSettings.from_env` and `to_env`). Pulumi, the local stage, the tests and
the bench use these writers, never the names by hand.
"""

from __future__ import annotations

from typing import Final

# ---- the Lambda function ---------------------------------------------------
TABLE_NAME: Final = "TABLE_NAME"
PEPPER_PARAMETER: Final = "PEPPER_PARAMETER"
PASSWORD_PEPPER: Final = "PASSWORD_PEPPER"  # noqa: S105 - a variable's name, not a secret
BCRYPT_COST: Final = "BCRYPT_COST"
# The standard boto3 override; the local stage points it at DynamoDB Local.
DYNAMODB_ENDPOINT: Final = "AWS_ENDPOINT_URL_DYNAMODB"
# The sign-up page's base URL: links in mails point under it.
WEB_URL: Final = "WEB_URL"
VERIFICATION_TTL_SECONDS: Final = "VERIFICATION_TTL_SECONDS"
# How long a password-reset link works.
RESET_TTL_SECONDS: Final = "RESET_TTL_SECONDS"
# Who mails come from ("Display Name <address>"); SES must have it verified.
MAIL_FROM: Final = "MAIL_FROM"
# Used when MAIL_FROM is unset; its display name is also the page's default product name.
DEFAULT_MAIL_FROM: Final = "Sign-up <no-reply@localhost>"
MAIL_CONFIGURATION_SET: Final = "MAIL_CONFIGURATION_SET"
# Local stage: write each mail as an .eml file here instead of sending it.
MAIL_OUTBOX_DIR: Final = "MAIL_OUTBOX_DIR"
# "off" turns every rate limit off: for benchmarks that measure what they cost.
RATE_LIMITS: Final = "RATE_LIMITS"
# LIMIT/SECONDS: requests per client address (any route), and sign-up and
# resend attempts per email and per username.
RATE_LIMIT_PER_ADDRESS: Final = "RATE_LIMIT_PER_ADDRESS"
RATE_LIMIT_PER_IDENTIFIER: Final = "RATE_LIMIT_PER_IDENTIFIER"
# Per identifier across every client (a flood ceiling), and the mails one
# client address may cause (keeps SES's reputation safe; answers never change).
RATE_LIMIT_PER_IDENTIFIER_GLOBAL: Final = "RATE_LIMIT_PER_IDENTIFIER_GLOBAL"
RATE_LIMIT_MAILS_PER_ADDRESS: Final = "RATE_LIMIT_MAILS_PER_ADDRESS"
# Failed sign-ins per account and client, and per account across clients.
RATE_LIMIT_SIGN_IN_FAILURES: Final = "RATE_LIMIT_SIGN_IN_FAILURES"
RATE_LIMIT_SIGN_IN_FAILURES_GLOBAL: Final = "RATE_LIMIT_SIGN_IN_FAILURES_GLOBAL"
# zxcvbn's score (0-4) below which a password is refused as weak.
PASSWORD_MIN_SCORE: Final = "PASSWORD_MIN_SCORE"  # noqa: S105 - a variable's name
# Access tokens: who issues them (the stage's issuer URL), for whom (the
# audience), the KMS key that signs them, and how long tokens live.
TOKEN_ISSUER: Final = "TOKEN_ISSUER"  # noqa: S105 - a variable's name
TOKEN_AUDIENCE: Final = "TOKEN_AUDIENCE"  # noqa: S105 - a variable's name
SIGNING_KEY_ID: Final = "SIGNING_KEY_ID"
# The tokens' JWS algorithm (contract/signing.py): unset means ES256.
TOKEN_ALGORITHM: Final = "TOKEN_ALGORITHM"  # noqa: S105 - a variable's name
ACCESS_TOKEN_SECONDS: Final = "ACCESS_TOKEN_SECONDS"  # noqa: S105 - a variable's name
REFRESH_TOKEN_SECONDS: Final = "REFRESH_TOKEN_SECONDS"  # noqa: S105 - a variable's name
# During a key rotation: the key that signed until now, still published in
# the JWKS (never used to sign) until the last token it signed has expired.
PREVIOUS_SIGNING_KEY_ID: Final = "PREVIOUS_SIGNING_KEY_ID"
# The secret the stage's web server proves itself with when it forwards a
# browser's address: an SSM SecureString's name on AWS (the function).
CLIENT_ADDRESS_SECRET_PARAMETER: Final = "CLIENT_ADDRESS_SECRET_PARAMETER"  # noqa: S105 - a name
# Powertools' own level variable, set per stage.
LOG_LEVEL: Final = "POWERTOOLS_LOG_LEVEL"

# ---- both: the function and the page read the same spelling -----------------
# The form checks the minimum the function enforces.
PASSWORD_MIN_LENGTH: Final = "PASSWORD_MIN_LENGTH"  # noqa: S105 - a variable's name
# The value itself: the page's server sends it with each forwarded address;
# the local stage hands it to the function directly.
CLIENT_ADDRESS_SECRET: Final = "CLIENT_ADDRESS_SECRET"  # noqa: S105 - a variable's name

# ---- the page (the Reflex app in web/) ---------------------------------------
API_URL: Final = "API_URL"
# Seconds one API call may take before the page's server repeats it (same key).
API_TIMEOUT_SECONDS: Final = "API_TIMEOUT_SECONDS"
PRODUCT_NAME: Final = "PRODUCT_NAME"
NEXT_STEP_URL: Final = "NEXT_STEP_URL"
NEXT_STEP_LABEL: Final = "NEXT_STEP_LABEL"
# Reflex's own variables that this product sets (see `web/signup_web/settings.py`).
REFLEX_API_URL: Final = "REFLEX_API_URL"
REFLEX_BUN_PATH: Final = "REFLEX_BUN_PATH"
REFLEX_TELEMETRY_ENABLED: Final = "REFLEX_TELEMETRY_ENABLED"
REFLEX_CHECK_LATEST_VERSION: Final = "REFLEX_CHECK_LATEST_VERSION"
REFLEX_CORS_ALLOWED_ORIGINS: Final = "REFLEX_CORS_ALLOWED_ORIGINS"
REFLEX_TRUSTED_PROXY_HOPS: Final = "REFLEX_TRUSTED_PROXY_HOPS"
REFLEX_BACKEND_HOST: Final = "REFLEX_BACKEND_HOST"
REFLEX_BACKEND_PORT: Final = "REFLEX_BACKEND_PORT"
REFLEX_WEB_WORKDIR: Final = "REFLEX_WEB_WORKDIR"
# Every variable of Reflex's starts so; the export clears the shell's.
REFLEX_PREFIX: Final = "REFLEX_"
