"""Whole-table checks of the users table: no partial sign-up, ever."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# Items that are not people's data: rate-limit counters, idempotency records,
# mails the worker has yet to send.
BOOKKEEPING = ("RATE#", "IDEMPOTENCY#", "OUTBOX#")


def is_bookkeeping(pk: str) -> bool:
    """A counter or an idempotency record, not a user, a claim or a link."""
    return pk.startswith(BOOKKEEPING)


def _text(item: Mapping[str, Any], name: str) -> str | None:
    value = item.get(name)
    return str(value["S"]) if value else None


def integrity_problems(items: Iterable[Mapping[str, Any]]) -> list[str]:
    """How the table breaks "every sign-up is whole" (empty: it holds).

    A claim or a link must point at an existing user; a user must be pointed
    at by its username and address claims; a pending user has exactly its
    current link, and its claims expire with it; a verified user's claims do
    not expire.
    """
    by_key = {item["pk"]["S"]: item for item in items if not is_bookkeeping(item["pk"]["S"])}
    problems = [
        f"{pk} points at missing USER#{_text(item, 'userId')}"
        for pk, item in by_key.items()
        if pk.startswith(("USERNAME#", "EMAIL#", "TOKEN#"))
        and f"USER#{_text(item, 'userId')}" not in by_key
        # A used link outlives nothing it could harm; an expired sign-up's
        # link may outlive its user until TTL takes both; a replaced sign-up's
        # username stays claimed until it expires (see backend/sign_up.py).
        and "usedAt" not in item
        and not (pk.startswith("USERNAME#") and "expiresAt" in item)
    ]
    for pk, user in by_key.items():
        # A decoy (a sign-up for a verified address) claims only its username.
        if pk.startswith("USER#") and _text(user, "status") != "decoy":
            problems += _user_problems(pk, user, by_key)
    return problems


def _user_problems(
    pk: str, user: Mapping[str, Any], by_key: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    problems = []
    user_id = _text(user, "userId")
    expiry = user.get("expiresAt")
    pending = _text(user, "status") == "pending"
    claims = (f"USERNAME#{_text(user, 'usernameKey')}", f"EMAIL#{_text(user, 'emailKey')}")
    for claim in claims:
        item = by_key.get(claim, {})
        if _text(item, "userId") != user_id:
            problems.append(f"{pk} lacks its claim {claim}")
        elif item.get("expiresAt") != expiry:
            problems.append(
                f"{claim} expires unlike its {'pending' if pending else 'verified'} user"
            )
    if pending:
        link = by_key.get(f"TOKEN#{_text(user, 'tokenDigest')}")
        if link is None or _text(link, "userId") != user_id:
            problems.append(f"{pk} is pending without its link")
    return problems
