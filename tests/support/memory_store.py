"""The users store in memory, for testing the service layer without AWS.

It keeps the same conditions as backend/store/dynamodb.py (checked all
before anything is written, as one DynamoDB transaction is), so the service's
decisions can be tested in microseconds. The DynamoDB mapping itself is
tested on moto and DynamoDB Local.
"""

from __future__ import annotations

import dataclasses

from backend.errors import ClaimChanged, IdentityTaken, TokenExpired
from backend.records import (
    PENDING,
    VERIFIED,
    Claims,
    EmailClaim,
    NewUser,
    StoredUser,
    TokenRecord,
    UsernameClaim,
)


class InMemoryUserStore:
    """Dicts of users, claims and links, written all or nothing."""

    def __init__(self) -> None:
        self.users: dict[str, StoredUser] = {}
        self.hashes: dict[str, str] = {}
        self.usernames: dict[str, UsernameClaim] = {}
        self.emails: dict[str, EmailClaim] = {}
        self.tokens: dict[str, TokenRecord] = {}

    def claims(self, *, username_key: str, email_key: str) -> Claims:
        """The address's and the username's claims (and the one a replacement releases)."""
        email = self.emails.get(email_key)
        released = None
        if email is not None and not email.verified and email.username_key != username_key:
            released = self.usernames.get(email.username_key)
        return Claims(email, self.usernames.get(username_key), released)

    def add_pending(
        self, user: NewUser, *, token: TokenRecord, expires: int, now: int, replacing: Claims
    ) -> None:
        """As DynamoDBUserStore.add_pending: conditions first, then every write."""
        old = replacing.email.user_id if replacing.email else None
        held = self.usernames.get(user.username_key)
        expired = held is not None and held.expires is not None and held.expires < now
        if held is not None and not expired and held.user_id != old:
            raise IdentityTaken(("username",))
        current = self.emails.get(user.email_key)
        if (
            (current is not None)
            if old is None
            else (current is None or current.user_id != old or current.verified)
        ):
            raise ClaimChanged("the address's claim moved")
        released = replacing.released_username
        releases = replacing.email is not None and released is not None and released.user_id == old
        if releases and self.usernames.get(replacing.email.username_key) != released:  # type: ignore[union-attr]
            raise ClaimChanged("the released username moved")
        if replacing.email is not None:
            self._release(replacing.email, released)
        self.users[user.user_id] = StoredUser(
            user.user_id,
            user.username,
            user.username_key,
            user.email,
            user.email_key,
            user.created_at,
            PENDING,
            token_digest=token.digest,
        )
        self.hashes[user.user_id] = user.password_hash
        self.usernames[user.username_key] = UsernameClaim(user.user_id, expires)
        self.emails[user.email_key] = EmailClaim(
            user.user_id,
            user.email,
            user.username,
            user.username_key,
            expires,
            token.digest,
            mailed=now,
        )
        self.tokens[token.digest] = token

    def _release(self, email: EmailClaim, username: UsernameClaim | None) -> None:
        self.users.pop(email.user_id, None)
        self.tokens.pop(email.token_digest or "", None)
        if username is not None and username.user_id == email.user_id:
            self.usernames.pop(email.username_key, None)

    def token(self, digest: str) -> TokenRecord | None:
        """The link with this digest, if any."""
        return self.tokens.get(digest)

    def user(self, user_id: str) -> StoredUser | None:
        """The user with this id, if any."""
        return self.users.get(user_id)

    def email_claim(self, email_key: str) -> EmailClaim | None:
        """The address's claim."""
        return self.emails.get(email_key)

    def verify(self, user: StoredUser, *, token: TokenRecord, verified_at: str, now: int) -> None:
        """As DynamoDBUserStore.verify: a lost claim means the link expired."""
        stored = self.users.get(user.user_id)
        username = self.usernames.get(user.username_key)
        email = self.emails.get(user.email_key)
        if (username is None or username.user_id != user.user_id) or (
            email is None or email.user_id != user.user_id
        ):
            raise TokenExpired("a claim belongs to someone else now")
        link = self.tokens.get(token.digest)
        if stored is None or stored.status != PENDING or stored.token_digest != token.digest:
            raise ClaimChanged("the user moved")
        if link is None or link.used is not None:
            raise ClaimChanged("the link moved")
        self.users[user.user_id] = dataclasses.replace(
            stored, status=VERIFIED, verified_at=verified_at, token_digest=None
        )
        self.usernames[user.username_key] = UsernameClaim(user.user_id)
        self.emails[user.email_key] = dataclasses.replace(
            email, expires=None, token_digest=None, mailed=None
        )
        self.tokens[token.digest] = dataclasses.replace(link, used=now)

    def renew_link(
        self, claim: EmailClaim, *, email_key: str, token: TokenRecord, expires: int, now: int
    ) -> None:
        """As DynamoDBUserStore.renew_link."""
        stored = self.users.get(claim.user_id)
        username = self.usernames.get(claim.username_key)
        current = self.emails.get(email_key)
        if (
            stored is None
            or stored.status != PENDING
            or stored.token_digest != claim.token_digest
            or username is None
            or username.user_id != claim.user_id
            or current != claim
            or token.digest in self.tokens
        ):
            raise ClaimChanged("the pending sign-up moved")
        self.users[claim.user_id] = dataclasses.replace(stored, token_digest=token.digest)
        self.usernames[claim.username_key] = UsernameClaim(claim.user_id, expires)
        self.emails[email_key] = dataclasses.replace(
            claim, expires=expires, token_digest=token.digest, mailed=now
        )
        self.tokens.pop(claim.token_digest or "", None)
        self.tokens[token.digest] = token
