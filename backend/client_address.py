"""Whose request is it: the address rate limits count, which a caller cannot choose for itself.

The address is API Gateway's `requestContext.http.sourceIp`; headers such as
X-Forwarded-For are never trusted. The one exception is the stage's own web
server, which calls the API from its server on behalf of browsers: it sends
the browser's address in `X-Client-Address` together with the stage's secret
in `X-Client-Address-Secret`, and only when that secret matches (compared in
constant time) is the forwarded address used. IPv6 clients are counted per
/64, the block one subscriber usually holds, so rotating addresses inside it
does not escape the limit; an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is
counted as the IPv4 address it carries.

The request's client is also kept for the request's duration
(`serving_client`), so per-identifier limits count per identifier and client
and an outbox item can name the client whose request caused it.
does not escape the limit.

The stage's secret may list several values separated by whitespace: the web
server sends the first, the function accepts any. That is how the secret is
rotated without refusing visitors while tasks and function instances that
started before the change still hold the old value (SECURITY.md, "Rotating
the client-address secret").
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Final

from contract.headers import FORWARDED_ADDRESS, FORWARDED_SECRET

_IPV6_PREFIX: Final = 64
UNKNOWN: Final = "unknown"
_client: ContextVar[str] = ContextVar("client", default=UNKNOWN)


@contextmanager
def serving_client(address: str) -> Iterator[None]:
    """Within this block, `current_client()` is `address` (the limit key of the request)."""
    token = _client.set(address)
    try:
        yield
    finally:
        _client.reset(token)


def current_client() -> str:
    """The limit key of the client whose request is being served ("unknown" outside one)."""
    return _client.get()


def client_address(event: Mapping[str, Any], *, web_secret: bytes | None) -> str:
    """The key the per-address limit counts for this request."""
    source = str(event.get("requestContext", {}).get("http", {}).get("sourceIp") or "")
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    forwarded, offered = headers.get(FORWARDED_ADDRESS), headers.get(FORWARDED_SECRET)
    trusted = bool(forwarded and offered) and _vouched(
        (offered or "").encode("utf-8", "replace"), accepted_secrets(web_secret)
    )
    if trusted:
        # The web server's word; still refused when it is not an address.
        return _limit_key(forwarded or "") or _limit_key(source) or UNKNOWN
    return _limit_key(source) or UNKNOWN


def accepted_secrets(web_secret: bytes | None) -> tuple[bytes, ...]:
    """Every value the stage's secret lists (the current one first); none without a secret."""
    return tuple(web_secret.split()) if web_secret else ()


def _vouched(offered: bytes, accepted: tuple[bytes, ...]) -> bool:
    # Every value is compared, in constant time each, whichever matches.
    matches = [hmac.compare_digest(offered, secret) for secret in accepted]
    return any(matches)


def _limit_key(text: str) -> str | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/{_IPV6_PREFIX}", strict=False))
    return str(address)
