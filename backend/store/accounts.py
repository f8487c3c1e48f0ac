"""Resetting a password and deleting an account on the users table: one transaction each.

A reset link is `RESET#<sha256 of its token>`; the profile's `resetDigest`
names the only one that works, so a newer forgot-password request (which
replaces it, backend/store/outbox.py) ends every older link. Setting the
password removes `resetDigest` and raises the profile's `sessionEpoch`: every
refresh-token family started before carries a smaller epoch and refreshes no
more (backend/sessions.py), without listing the families. A deletion does list
them, after its transaction, to delete them (backend/store/owned.py).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from backend.records import VERIFIED, OutboxItem, StoredUser
from backend.store import items
from backend.store.owned import delete_owned
from backend.store.writes import TableWriter

# The profile's counter of password changes that ended every earlier session.
SESSION_EPOCH = "sessionEpoch"


@dataclass(frozen=True, slots=True)
class ResetRecord:
    """A reset link by its digest: whose, until when, and whether it was used."""

    digest: str = field(repr=False)
    user_id: str = ""
    valid_until: int = 0
    used: bool = False


class DynamoDBAccountStore(TableWriter):
    """Reads and writes of a reset and of a deletion."""

    def reset_link(self, digest: str) -> ResetRecord | None:
        """The reset link with this digest, if any."""
        item = self._get(items.reset_pk(digest))
        if item is None:
            return None
        user_id = item.get("userId", {}).get("S", "")
        valid_until = int(item.get("validUntil", {}).get("N", "0"))
        return ResetRecord(digest, user_id, valid_until, used="usedAt" in item)

    def user(self, user_id: str) -> StoredUser | None:
        """The user with this id, if any."""
        item = self._get(items.user_pk(user_id))
        return items.read_user(item) if item else None

    def set_password(
        self,
        user: StoredUser,
        *,
        link: ResetRecord,
        password_hash: str,
        notice: OutboxItem,
        now: int,
    ) -> None:
        """Set the new hash, spend the link, end every session and queue the notice, at once;
        ClaimChanged when the link was used or replaced meanwhile."""
        self._transact(
            [
                self._update(
                    items.user_pk(user.user_id),
                    f"SET passwordHash = :hash ADD {SESSION_EPOCH} :one REMOVE resetDigest",
                    "#status = :verified AND resetDigest = :digest",
                    {
                        ":hash": {"S": password_hash},
                        ":one": {"N": "1"},
                        ":verified": {"S": VERIFIED},
                        ":digest": {"S": link.digest},
                    },
                ),
                self._update(
                    items.reset_pk(link.digest),
                    "SET usedAt = :now",
                    "attribute_exists(#pk) AND attribute_not_exists(usedAt)",
                    {":now": {"N": str(now)}},
                ),
                self._put(items.outbox(notice), "attribute_not_exists(#pk)"),
            ]
        )

    def delete(self, user: StoredUser, *, notice: OutboxItem) -> None:
        """Delete the profile, both claims and the working reset link, and queue the notice, at
        once; ClaimChanged when the password changed (or the account went) meanwhile.

        The claims go with the profile, so the username and the address are
        free for a new sign-up the moment this returns.
        """
        owner = {":id": {"S": user.user_id}}
        self._transact(
            [
                self._delete(
                    items.user_pk(user.user_id),
                    "passwordHash = :hash",
                    {":hash": {"S": user.password_hash}},
                ),
                self._delete(items.username_pk(user.username_key), "#uid = :id", owner),
                self._delete(items.email_pk(user.email_key), "#uid = :id", owner),
                # A random key when no link is waiting: the same number of items either way.
                self._delete(items.reset_pk(user.reset_digest or secrets.token_hex(32))),
                self._put(items.outbox(notice), "attribute_not_exists(#pk)"),
            ]
        )

    def delete_owned(self, user_id: str) -> int:
        """After `delete`: the user's sessions, refresh tokens, links and failure counters; how
        many there were. ItemsLeftBehind when some remain (their TTL takes them)."""
        return delete_owned(self._client, self._table, user_id)


def epoch_of(item: items.Item) -> int:
    """A profile's session epoch (0 before its first reset)."""
    return int(item.get(SESSION_EPOCH, {}).get("N", "0"))
