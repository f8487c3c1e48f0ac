"""Password hashing: peppered HMAC before bcrypt, so no password is truncated or refused."""

from __future__ import annotations

import bcrypt
import pytest

from backend.hashing import SCHEME, PasswordHasher

PEPPER = b"p" * 32
EMOJI_128 = "🦄🌈🍕🚀🎸🐙🌵🍩" * 16


@pytest.fixture
def hasher() -> PasswordHasher:
    return PasswordHasher(PEPPER, cost=4)


def test_hash_names_its_scheme_and_cost(hasher: PasswordHasher) -> None:
    stored = hasher.hash("correct horse battery staple")
    assert stored.startswith(f"{SCHEME}$$2b$04$")


def test_hash_verifies_128_emoji(hasher: PasswordHasher) -> None:
    assert len(EMOJI_128.encode()) == 512
    stored = hasher.hash(EMOJI_128)
    assert hasher.verify(EMOJI_128, stored)
    assert not hasher.verify(EMOJI_128[:-1], stored)


def test_hash_distinguishes_passwords_that_share_72_bytes(hasher: PasswordHasher) -> None:
    # Plain bcrypt would treat these as equal (it only sees the first 72 bytes).
    first, second = "a" * 80 + "1", "a" * 80 + "2"
    assert not hasher.verify(second, hasher.hash(first))


def test_hash_applies_nfkc(hasher: PasswordHasher) -> None:
    assert hasher.verify("ﬁre and ice forever", hasher.hash("fire and ice forever"))


def test_hash_depends_on_the_pepper(hasher: PasswordHasher) -> None:
    stored = hasher.hash("correct horse battery staple")
    assert not PasswordHasher(b"q" * 32, cost=4).verify("correct horse battery staple", stored)


def test_hash_is_not_bare_bcrypt_of_the_password(hasher: PasswordHasher) -> None:
    bcrypt_part = hasher.hash("correct horse battery staple").split("$", 1)[1]
    assert not bcrypt.checkpw(b"correct horse battery staple", bcrypt_part.encode())


def test_hash_is_salted(hasher: PasswordHasher) -> None:
    assert hasher.hash("correct horse battery staple") != hasher.hash(
        "correct horse battery staple"
    )


def test_verify_refuses_unknown_schemes(hasher: PasswordHasher) -> None:
    bare = bcrypt.hashpw(b"x", bcrypt.gensalt(4)).decode()
    assert not hasher.verify("x", bare)
    assert not hasher.verify("x", "md5$abc")


def test_hasher_repr_hides_the_pepper(hasher: PasswordHasher) -> None:
    assert "ppp" not in repr(hasher)
    assert "cost=4" in repr(hasher)


@pytest.mark.parametrize(("pepper", "cost"), [(b"short", 12), (PEPPER, 3), (PEPPER, 32)])
def test_hasher_refuses_weak_settings(pepper: bytes, cost: int) -> None:
    with pytest.raises(ValueError, match=r"pepper|cost"):
        PasswordHasher(pepper, cost=cost)
