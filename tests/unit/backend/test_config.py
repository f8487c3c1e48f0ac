"""The function's environment is parsed once and checked."""

from __future__ import annotations

import pytest

from backend.config import ConfigurationError, Settings
from contract.signing import ES256, RS256

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
        "RESET_TTL_SECONDS",
        "MAIL_FROM",
        "RATE_LIMITS",
        "RATE_LIMIT_PER_ADDRESS",
        "RATE_LIMIT_PER_IDENTIFIER",
        "RATE_LIMIT_PER_IDENTIFIER_GLOBAL",
        "RATE_LIMIT_MAILS_PER_ADDRESS",
        "PASSWORD_MIN_SCORE",
        "TOKEN_AUDIENCE",
        "ACCESS_TOKEN_SECONDS",
        "REFRESH_TOKEN_SECONDS",
        "RATE_LIMIT_SIGN_IN_FAILURES",
        "RATE_LIMIT_SIGN_IN_FAILURES_GLOBAL",
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


def test_settings_reads_the_token_settings() -> None:
    settings = Settings.from_env(
        {
            **BASE,
            "TOKEN_ISSUER": "https://api.example.test/",
            "TOKEN_AUDIENCE": "signup-dev",
            "SIGNING_KEY_ID": "key-1",
            "PREVIOUS_SIGNING_KEY_ID": "key-0",
            "ACCESS_TOKEN_SECONDS": "600",
            "REFRESH_TOKEN_SECONDS": "86400",
            "RATE_LIMIT_SIGN_IN_FAILURES": "3/60",
            "RATE_LIMIT_SIGN_IN_FAILURES_GLOBAL": "50/3600",
        }
    )
    assert settings.require_token_issuer() == "https://api.example.test"
    assert (settings.signing_key_id, settings.previous_signing_key_id) == ("key-1", "key-0")
    assert (settings.access_token_seconds, settings.refresh_token_seconds) == (600, 86400)
    assert str(settings.rate_limit_sign_in_failures) == "3/60"
    assert str(settings.rate_limit_sign_in_failures_global) == "50/3600"
    assert Settings.from_env(settings.to_env()) == settings


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ACCESS_TOKEN_SECONDS", "901"),
        ("ACCESS_TOKEN_SECONDS", "30"),
        ("REFRESH_TOKEN_SECONDS", "60"),
        ("RATE_LIMIT_SIGN_IN_FAILURES", "five"),
        ("TOKEN_ALGORITHM", "HS256"),
        ("TOKEN_ALGORITHM", "none"),
    ],
)
def test_settings_refuses_bad_token_settings_by_name(name: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=name):
        Settings.from_env({**BASE, name: value})


def test_settings_token_algorithm_defaults_to_es256_and_is_written_only_when_not() -> None:
    default = Settings.from_env(BASE)
    assert default.token_algorithm == ES256
    assert "TOKEN_ALGORITHM" not in default.to_env()
    rs256 = Settings.from_env({**BASE, "TOKEN_ALGORITHM": "RS256"})
    assert rs256.token_algorithm == RS256
    assert rs256.to_env()["TOKEN_ALGORITHM"] == "RS256"
    assert Settings.from_env(rs256.to_env()) == rs256


def test_settings_without_an_issuer_cannot_sign() -> None:
    with pytest.raises(ConfigurationError, match="TOKEN_ISSUER"):
        Settings.from_env(BASE).require_token_issuer()


def test_settings_reset_ttl_defaults_to_an_hour() -> None:
    settings = Settings.from_env({"TABLE_NAME": "users", "PASSWORD_PEPPER": "x" * 32})
    assert settings.reset_ttl_seconds == 3600
    assert Settings.from_env(settings.to_env()).reset_ttl_seconds == 3600


@pytest.mark.parametrize("value", ["59", "86401", "soon"])
def test_settings_reset_ttl_out_of_bounds_is_refused(value: str) -> None:
    env = {"TABLE_NAME": "users", "PASSWORD_PEPPER": "x" * 32, "RESET_TTL_SECONDS": value}
    with pytest.raises(ConfigurationError, match="RESET_TTL_SECONDS"):
        Settings.from_env(env)
