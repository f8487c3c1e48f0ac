"""What the service keeps about people, and the store it keeps it in (a Protocol: DynamoDB in
production, memory in the service tests). Times are whole epoch seconds unless named `_at` ISO."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

PENDING = "pending"
VERIFIED = "verified"


@dataclass(frozen=True, slots=True)
class NewUser:
    """A sign-up about to be stored as pending."""

    user_id: str
    username: str
    username_key: str
    email: str
    email_key: str
    created_at: str
    password_hash: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class StoredUser:
    """A user as stored: pending until the address is proven, then verified."""

    user_id: str
    username: str
    username_key: str
    email: str
    email_key: str
    created_at: str
    status: str
    verified_at: str | None = None
    token_digest: str | None = field(default=None, repr=False)

    @property
    def verified(self) -> bool:
        """The address has been proven."""
        return self.status == VERIFIED


@dataclass(frozen=True, slots=True)
class EmailClaim:
    """Who holds an address: a verified user (no expiry) or a pending sign-up until `expires`."""

    user_id: str
    email: str
    username: str
    username_key: str
    expires: int | None = None
    token_digest: str | None = field(default=None, repr=False)
    mailed: int | None = None

    @property
    def verified(self) -> bool:
        """The address belongs to a verified user."""
        return self.expires is None


@dataclass(frozen=True, slots=True)
class UsernameClaim:
    """Who holds a username: a verified user, or a pending sign-up until `expires`."""

    user_id: str
    expires: int | None = None

    def holds_at(self, now: int) -> bool:
        """The claim still counts: verified, or pending and not yet expired."""
        return self.expires is None or now < self.expires


@dataclass(frozen=True, slots=True)
class Claims:
    """What a sign-up meets: the address's claim, the username's, and (when the address is
    pending under another username) that other username's claim, which the sign-up releases."""

    email: EmailClaim | None
    username: UsernameClaim | None
    released_username: UsernameClaim | None = None


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """A verification link, by the digest of its token."""

    digest: str = field(repr=False)
    user_id: str = ""
    valid_until: int = 0
    used: int | None = None


class UserStore(Protocol):
    """Claims are conditional writes: each method raises ClaimChanged when what it read moved."""

    def claims(self, *, username_key: str, email_key: str) -> Claims:
        """The address's and the username's claims, read consistently."""

    def add_pending(
        self, user: NewUser, *, token: TokenRecord, expires: int, now: int, replacing: Claims
    ) -> None:
        """Store a pending sign-up and its link, replacing a pending claim on the address.

        Raise IdentityTaken when the username is held, ClaimChanged when `replacing` is stale.
        """

    def token(self, digest: str) -> TokenRecord | None:
        """The link with this digest, if any."""

    def user(self, user_id: str) -> StoredUser | None:
        """The user with this id, if any."""

    def verify(self, user: StoredUser, *, token: TokenRecord, verified_at: str, now: int) -> None:
        """Mark the user, both claims and the link verified at once.

        Raise ClaimChanged when the user or link moved, TokenExpired when a claim was lost.
        """

    def email_claim(self, email_key: str) -> EmailClaim | None:
        """The address's claim, read consistently."""

    def renew_link(
        self, claim: EmailClaim, *, email_key: str, token: TokenRecord, expires: int, now: int
    ) -> None:
        """Replace a pending sign-up's link and extend its claims; ClaimChanged if it moved."""
