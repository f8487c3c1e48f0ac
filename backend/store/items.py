"""Item shapes of the single table: keys, attributes, and the records read back from them.

USER#<id>           the profile, hash and status; `expiresAt` (TTL) and `tokenDigest` while pending
USERNAME#<key>      the username claim; `expiresAt` while pending
EMAIL#<key>         the address claim, with what replacing or re-sending needs; `expiresAt` while
                    pending
TOKEN#<sha256>      a link: its user, `validUntil`, `usedAt` once it verified, `attempts` (password
                    checks in flight or failed); `expiresAt` (TTL) a grace period later, so an
                    expired link still answers "expired", not "unknown"
RESET#<sha256>      a password-reset link: its user, `validUntil`, `usedAt` once it set a password;
                    the profile's `resetDigest` names the one that works
OUTBOX#<id>         a mail the worker owes (or a resend it must decide on): never a token, only the
                    nonce it is derived from; `leaseUntil` while a worker sends it; deleted once
                    sent, dropped or expired

Links (like sessions, refresh tokens and sign-in failure counters) also name their user as
owner (`owned_by`), so that deleting the account finds and deletes them (backend/store/owned.py).
"""

from __future__ import annotations

from typing import Any, Final

from backend.records import (
    DECOY,
    PENDING,
    EmailClaim,
    NewUser,
    OutboxItem,
    StoredUser,
    TokenRecord,
    UsernameClaim,
)
from contract.table_keys import OUTBOX_PREFIX, OWNER_ATTRIBUTE, PARTITION_KEY, TTL_ATTRIBUTE

Item = dict[str, Any]
# How long a used or expired link is remembered after it stops working.
TOKEN_GRACE_SECONDS: Final = 7 * 24 * 3600


def user_pk(user_id: str) -> str:
    """The key of a user's profile."""
    return f"USER#{user_id}"


def username_pk(key: str) -> str:
    """The key of a username claim."""
    return f"USERNAME#{key}"


def email_pk(key: str) -> str:
    """The key of an address claim."""
    return f"EMAIL#{key}"


def token_pk(digest: str) -> str:
    """The key of a link, by its token's digest."""
    return f"TOKEN#{digest}"


def reset_pk(digest: str) -> str:
    """The key of a password-reset link, by its token's digest."""
    return f"RESET#{digest}"


def outbox_pk(outbox_id: str) -> str:
    """The key of an outbox item (the worker's stream filter matches its prefix)."""
    return f"{OUTBOX_PREFIX}{outbox_id}"


def key(pk: str) -> Item:
    """The table key of an item."""
    return {PARTITION_KEY: {"S": pk}}


def _s(value: str) -> Item:
    return {"S": value}


def _n(value: int) -> Item:
    return {"N": str(value)}


def owned_by(user_id: str) -> Item:
    """The owner attribute of an item that goes when its user's account is deleted.

    Only for items whose keys no one else can hold (see contract/table_keys.py).
    """
    return {OWNER_ATTRIBUTE: _s(user_id)}


def pending_user(user: NewUser, *, token_digest: str, expires: int, decoy: bool = False) -> Item:
    """A new user's profile, pending until its address is proven (or a decoy of the same shape)."""
    return {
        **key(user_pk(user.user_id)),
        "kind": _s("user"),
        "userId": _s(user.user_id),
        "username": _s(user.username),
        "usernameKey": _s(user.username_key),
        "email": _s(user.email),
        "emailKey": _s(user.email_key),
        "passwordHash": _s(user.password_hash),
        "createdAt": _s(user.created_at),
        "status": _s(DECOY if decoy else PENDING),
        "tokenDigest": _s(token_digest),
        TTL_ATTRIBUTE: _n(expires),
    }


def username_claim(user: NewUser, *, expires: int) -> Item:
    """The username's claim for a pending user."""
    return {
        **key(username_pk(user.username_key)),
        "kind": _s("username"),
        "userId": _s(user.user_id),
        "createdAt": _s(user.created_at),
        TTL_ATTRIBUTE: _n(expires),
    }


def email_claim(user: NewUser, *, token_digest: str, expires: int, mailed: int) -> Item:
    """The address's claim for a pending user, with what a resend or a replacement needs."""
    return {
        **key(email_pk(user.email_key)),
        "kind": _s("email"),
        "userId": _s(user.user_id),
        "email": _s(user.email),
        "username": _s(user.username),
        "usernameKey": _s(user.username_key),
        "createdAt": _s(user.created_at),
        "tokenDigest": _s(token_digest),
        "mailedAt": _n(mailed),
        TTL_ATTRIBUTE: _n(expires),
    }


def outbox(mail: OutboxItem) -> Item:
    """An outbox item; TTL takes it after its link's validity if nobody did before."""
    item = {
        **key(outbox_pk(mail.outbox_id)),
        "kind": _s(mail.kind),
        "to": _s(mail.to),
        "emailKey": _s(mail.email_key),
        "validUntil": _n(mail.valid_until),
        "client": _s(mail.client),
        TTL_ATTRIBUTE: _n(mail.valid_until),
    }
    optional = {"signedUpAt": mail.signed_up_at, "username": mail.username, "nonce": mail.nonce}
    return item | {name: _s(value) for name, value in optional.items() if value}


def read_outbox(item: Item) -> OutboxItem:
    """An outbox item read back."""
    return OutboxItem(
        outbox_id=item[PARTITION_KEY]["S"].removeprefix(OUTBOX_PREFIX),
        kind=_text(item, "kind") or "",
        to=_text(item, "to") or "",
        email_key=_text(item, "emailKey") or "",
        valid_until=_number(item, "validUntil") or 0,
        client=_text(item, "client") or "",
        signed_up_at=_text(item, "signedUpAt") or "",
        username=_text(item, "username") or "",
        nonce=_text(item, "nonce") or "",
    )


def token(record: TokenRecord) -> Item:
    """A link's item; it outlives its validity by a grace period."""
    return {
        **key(token_pk(record.digest)),
        "kind": _s("token"),
        "userId": _s(record.user_id),
        # Every sign-up writes one link (new, replacing or decoy), so every
        # branch writes this attribute alike.
        **owned_by(record.user_id),
        "validUntil": _n(record.valid_until),
        TTL_ATTRIBUTE: _n(record.valid_until + TOKEN_GRACE_SECONDS),
    }


def reset_link(digest: str, *, user_id: str, valid_until: int) -> Item:
    """A password-reset link's item; like a verification link, it outlives its validity."""
    return {
        **key(reset_pk(digest)),
        "kind": _s("reset"),
        "userId": _s(user_id),
        **owned_by(user_id),
        "validUntil": _n(valid_until),
        TTL_ATTRIBUTE: _n(valid_until + TOKEN_GRACE_SECONDS),
    }


def _text(item: Item, name: str) -> str | None:
    value = item.get(name)
    return str(value["S"]) if value else None


def _number(item: Item, name: str) -> int | None:
    value = item.get(name)
    return int(value["N"]) if value else None


def read_email_claim(item: Item) -> EmailClaim:
    """An address claim read back."""
    return EmailClaim(
        user_id=_text(item, "userId") or "",
        email=_text(item, "email") or "",
        username=_text(item, "username") or "",
        username_key=_text(item, "usernameKey") or "",
        expires=_number(item, TTL_ATTRIBUTE),
        token_digest=_text(item, "tokenDigest"),
        mailed=_number(item, "mailedAt"),
        created_at=_text(item, "createdAt") or "",
    )


def read_username_claim(item: Item) -> UsernameClaim:
    """A username claim read back."""
    return UsernameClaim(user_id=_text(item, "userId") or "", expires=_number(item, TTL_ATTRIBUTE))


def read_token(item: Item, digest: str) -> TokenRecord:
    """A link read back."""
    return TokenRecord(
        digest=digest,
        user_id=_text(item, "userId") or "",
        valid_until=_number(item, "validUntil") or 0,
        used=_number(item, "usedAt"),
    )


def read_user(item: Item) -> StoredUser:
    """A profile read back (its hash only for the password check; never in an answer)."""
    return StoredUser(
        user_id=_text(item, "userId") or "",
        username=_text(item, "username") or "",
        username_key=_text(item, "usernameKey") or "",
        email=_text(item, "email") or "",
        email_key=_text(item, "emailKey") or "",
        created_at=_text(item, "createdAt") or "",
        status=_text(item, "status") or PENDING,
        verified_at=_text(item, "verifiedAt"),
        token_digest=_text(item, "tokenDigest"),
        password_hash=_text(item, "passwordHash") or "",
        reset_digest=_text(item, "resetDigest"),
    )
