"""A users store in memory, for testing the service layer without AWS."""

from __future__ import annotations

from backend.errors import IdentityTaken
from backend.service import UserRecord


class InMemoryUserStore:
    """Keeps users and their claims in dicts; all-or-nothing like the DynamoDB transaction."""

    def __init__(self) -> None:
        self.users: dict[str, UserRecord] = {}
        self.usernames: dict[str, str] = {}
        self.emails: dict[str, str] = {}

    def add_user(self, user: UserRecord) -> None:
        """Add the user, or raise IdentityTaken naming every field already claimed."""
        taken = tuple(
            name
            for name, claims, key in (
                ("username", self.usernames, user.username_key),
                ("email", self.emails, user.email_key),
            )
            if key in claims
        )
        if taken:
            raise IdentityTaken(taken)
        self.users[user.user_id] = user
        self.usernames[user.username_key] = user.user_id
        self.emails[user.email_key] = user.user_id
