"""What the service keeps about people and the mails it owes them (stored by backend/store/).
Times are whole epoch seconds unless named `_at` (ISO 8601)."""

from __future__ import annotations

from dataclasses import dataclass, field

PENDING = "pending"
VERIFIED = "verified"
# A verified address's sign-up writes what a new one would (see service.py),
# as a profile nobody can ever verify: its link's token was never kept.
DECOY = "decoy"
# The kinds of outbox items: a link to mail, a notice to mail, a resend to decide.
LINK_MAIL = "link"
NOTICE_MAIL = "notice"
RESEND_REQUEST = "resend"
# Password reset and deletion (issue 23): a forgot-password request to decide,
# the reset link to mail, and the two notices that need no link.
RESET_REQUEST = "resetRequest"
RESET_MAIL = "reset"
PASSWORD_CHANGED_MAIL = "passwordChanged"  # noqa: S105 - a mail kind
ACCOUNT_DELETED_MAIL = "accountDeleted"


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
    password_hash: str = field(default="", repr=False)
    # The digest of the one reset link that works (a newer request replaces it).
    reset_digest: str | None = field(default=None, repr=False)

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
    created_at: str = ""

    @property
    def verified(self) -> bool:
        """The address belongs to a verified user."""
        return self.expires is None

    def waiting_at(self, now: float) -> bool:
        """A pending sign-up still waiting for its address to be proven (never one that expired)."""
        return self.expires is not None and now < self.expires


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
    """What a sign-up meets: the address's claim and the username's, read together."""

    email: EmailClaim | None
    username: UsernameClaim | None


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """A verification link, by the digest of its token."""

    digest: str = field(repr=False)
    user_id: str = ""
    valid_until: int = 0
    used: int | None = None


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One mail to send (or, for a resend, to decide on), as the outbox holds it.

    It holds nothing that opens an account: a link's token is derived from
    `nonce` under a key only the functions have (contract.tokens.link_token).
    `client` is the address-limit key of the request that caused it, for the
    cap on the mails one client can cause.
    """

    outbox_id: str
    kind: str
    to: str
    email_key: str
    valid_until: int
    client: str
    signed_up_at: str = ""
    username: str = ""
    nonce: str = field(default="", repr=False)
