"""The function's environment is parsed once and checked."""

from __future__ import annotations

import pytest

from backend.config import ConfigurationError, Settings

BASE = {"TABLE_NAME": "users", "PASSWORD_PEPPER": "x" * 32}


def test_settings_defaults() -> None:
    settings = Settings.from_env(BASE)
    assert (settings.bcrypt_cost, settings.policy.min_length) == (12, 15)


def test_settings_reads_stage_policy() -> None:
    settings = Settings.from_env({**BASE, "BCRYPT_COST": "10", "PASSWORD_MIN_LENGTH": "8"})
    assert (settings.bcrypt_cost, settings.policy.min_length) == (10, 8)


@pytest.mark.parametrize(
    "env",
    [
        {"PASSWORD_PEPPER": "x" * 32},
        {"TABLE_NAME": "users"},
        {**BASE, "BCRYPT_COST": "twelve"},
        {**BASE, "BCRYPT_COST": "3"},
        {**BASE, "PASSWORD_MIN_LENGTH": "7"},
    ],
)
def test_settings_rejects_bad_environment(env: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError):
        Settings.from_env(env)


def test_settings_reads_pepper_from_parameter_store() -> None:
    settings = Settings.from_env({"TABLE_NAME": "users", "PEPPER_PARAMETER": "/signup/dev/pepper"})
    assert settings.load_pepper(lambda name: f"value-of-{name}") == b"value-of-/signup/dev/pepper"


def test_settings_repr_hides_the_pepper() -> None:
    assert "x" * 32 not in repr(Settings.from_env(BASE))


def test_settings_to_env_reads_back_as_the_same_settings() -> None:
    settings = Settings(
        table_name="users",
        bcrypt_cost=10,
        password_min_length=8,
        pepper_parameter="/signup/dev/pepper",
        dynamodb_endpoint="http://127.0.0.1:8081",
    )
    assert Settings.from_env(settings.to_env()) == settings


def test_settings_to_env_leaves_out_what_is_unset() -> None:
    env = Settings(table_name="users", pepper_value="x" * 32).to_env()
    assert set(env) == {
        "TABLE_NAME",
        "PASSWORD_PEPPER",
        "BCRYPT_COST",
        "PASSWORD_MIN_LENGTH",
        "VERIFICATION_TTL_SECONDS",
        "MAIL_FROM",
        "RATE_LIMITS",
        "RATE_LIMIT_PER_ADDRESS",
        "RATE_LIMIT_PER_IDENTIFIER",
        "RATE_LIMIT_PER_IDENTIFIER_GLOBAL",
        "RATE_LIMIT_MAILS_PER_ADDRESS",
        "PASSWORD_MIN_SCORE",
    }


def test_settings_reads_this_rounds_limits_and_floor_with_their_defaults() -> None:
    defaults = Settings.from_env(BASE)
    assert defaults.password_min_score == 3
    assert str(defaults.rate_limit_per_identifier_global) == "50/3600"
    assert str(defaults.rate_limit_mails_per_address) == "200/86400"
    env = {
        **BASE,
        "PASSWORD_MIN_SCORE": "4",
        "RATE_LIMIT_PER_IDENTIFIER_GLOBAL": "10/60",
        "RATE_LIMIT_MAILS_PER_ADDRESS": "5/3600",
    }
    chosen = Settings.from_env(env)
    assert chosen.policy.min_score == 4
    assert (
        str(chosen.rate_limit_per_identifier_global),
        str(chosen.rate_limit_mails_per_address),
    ) == (
        "10/60",
        "5/3600",
    )
    assert Settings.from_env(chosen.to_env()) == chosen


@pytest.mark.parametrize("score", ["5", "-1", "strong"])
def test_settings_refuses_a_score_outside_zxcvbns_range(score: str) -> None:
    with pytest.raises(ConfigurationError, match="PASSWORD_MIN_SCORE"):
        Settings.from_env({**BASE, "PASSWORD_MIN_SCORE": score})


def test_settings_refuses_a_bad_value_by_name() -> None:
    with pytest.raises(ConfigurationError, match="BCRYPT_COST"):
        Settings.from_env({**BASE, "BCRYPT_COST": "twelve"})
    with pytest.raises(ConfigurationError, match="PASSWORD_MIN_LENGTH"):
        Settings(table_name="users", pepper_value="x" * 32, password_min_length=200)
