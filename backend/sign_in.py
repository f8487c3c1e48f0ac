"""Signing in: a login and a password for an access token and a refresh token.

Every way to fail before the right password (an unknown login, a wrong
password, a pending sign-up) answers the same 401 after the same work: two
reads, the two failure counters, and one bcrypt at the stage's cost (against
a dummy hash when nobody holds the login). Only the right password learns
more: that the address still waits for confirmation (403).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Mapping

from backend.access_tokens import Subject
from backend.errors import ClaimChanged, CredentialsInvalid, EmailUnverified
from backend.sessions import Clock, Sessions, TokenPair, issue_tokens, new_family_id
from backend.store.sessions import Credentials
from contract.rules.session import validate_sign_in


def sign_in(
    payload: Mapping[str, object], sessions: Sessions, *, client: str, clock: Clock = time.time
) -> TokenPair:
    """Tokens for the login's owner, or CredentialsInvalid / EmailUnverified / RateLimited."""
    request = validate_sign_in(payload)
    now = int(clock())
    holder = sessions.store.claimant(*request.claim, now=now) if request.claim else None
    limits = sessions.limits
    # Counted before the bcrypt, per account; a login nobody holds is counted
    # under its digest, so guessing logins costs the same as guessing passwords.
    account = holder or _unknown_account(request.claim)
    reservation = limits.reserve(account=account, client=client) if limits else None
    # The same read whether or not anyone holds the login (a fresh id finds nobody).
    user = sessions.store.credentials(holder or str(uuid.uuid4()))
    # A user without a usable hash (none stored yet) costs the same bcrypt too.
    usable = user is not None and sessions.hasher.is_hash(user.password_hash)
    stored = user.password_hash if user is not None and usable else sessions.dummy_hash
    if not sessions.hasher.verify(request.password, stored) or user is None or not usable:
        raise CredentialsInvalid("no such login and password")
    if limits and reservation:
        limits.release(reservation)  # the right password is no failed guess
    if not user.verified:
        raise EmailUnverified("the address is not confirmed yet")
    return _start_session(user, request.password, sessions, now)


def _start_session(user: Credentials, password: str, sessions: Sessions, now: int) -> TokenPair:
    subject = Subject(user.user_id, user.username, user.email)
    pair, first = issue_tokens(
        sessions,
        subject,
        now=now,
        family_id=new_family_id(),
        valid_until=now + sessions.refresh_seconds,
        epoch=user.session_epoch,
    )
    hasher = sessions.hasher
    # The stage's cost rose since this hash was made: store one at today's
    # cost now, while the password is at hand (it is never at hand otherwise).
    rehash = (
        (user.password_hash, hasher.hash(password))
        if hasher.needs_rehash(user.password_hash)
        else None
    )
    try:
        sessions.store.start(first, rehash=rehash)
    except ClaimChanged:
        if rehash is None:
            raise
        sessions.store.start(first)  # the hash changed meanwhile: keep the newer one
    return pair


def _unknown_account(claim: tuple[str, str] | None) -> str:
    text = "" if claim is None else f"{claim[0]}:{claim[1]}"
    return "login-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
