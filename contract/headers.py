"""Request header names that a client, the gateway and the function must spell alike."""

from __future__ import annotations

from typing import Final

# Makes a retry safe: createUser and resendVerification replay the first
# answer to the same key instead of acting twice.
IDEMPOTENCY_KEY: Final = "idempotency-key"
# The stage's web server forwards each browser's address in this header,
# with the stage's secret in the next one (backend/client_address.py).
FORWARDED_ADDRESS: Final = "x-client-address"
FORWARDED_SECRET: Final = "x-client-address-secret"  # noqa: S105 - a header's name
REQUEST_ID: Final = "x-request-id"
RETRY_AFTER: Final = "retry-after"
# Bearer access tokens (RFC 6750): sent in the first, asked for by the second on a 401.
AUTHORIZATION: Final = "authorization"
WWW_AUTHENTICATE: Final = "www-authenticate"
