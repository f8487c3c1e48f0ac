"""The web app reads API_URL and the stage's PASSWORD_MIN_LENGTH, like the Lambda."""

from __future__ import annotations

import pytest

from signup_web.settings import DEFAULT_API_URL, WebSettings


def test_settings_default_to_the_local_stage() -> None:
    settings = WebSettings.from_env({})
    assert settings.api_url == DEFAULT_API_URL
    assert settings.policy.min_length == 15


def test_settings_read_api_url_and_password_minimum() -> None:
    env = {
        "API_URL": "https://abc.execute-api.eu-west-1.amazonaws.com/",
        "PASSWORD_MIN_LENGTH": "8",
    }
    settings = WebSettings.from_env(env)
    assert settings.api_url == "https://abc.execute-api.eu-west-1.amazonaws.com"
    assert settings.policy.min_length == 8


def test_settings_refuse_a_minimum_the_api_would_refuse() -> None:
    with pytest.raises(ValueError, match="password lengths"):
        WebSettings.from_env({"PASSWORD_MIN_LENGTH": "6"})
