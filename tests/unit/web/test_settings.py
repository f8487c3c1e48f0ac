"""The web app reads API_URL and PASSWORD_MIN_LENGTH like the Lambda, and its wording."""

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


def test_settings_default_product_name_and_next_step() -> None:
    settings = WebSettings.from_env({})
    # The name the mails use when the stage sets none (backend.config's sender).
    assert settings.product_name == "Sign-up"
    assert (settings.next_step.label, settings.next_step.url) == ("Sign in", "/sign-in")


def test_settings_read_product_name_and_next_step() -> None:
    settings = WebSettings.from_env(
        {
            "PRODUCT_NAME": " Acme Notes ",
            "NEXT_STEP_URL": "https://app.example.com/sign-in",
            "NEXT_STEP_LABEL": "Sign in to Acme Notes",
        }
    )
    assert settings.product_name == "Acme Notes"
    assert settings.next_step.url == "https://app.example.com/sign-in"
    assert settings.next_step.label == "Sign in to Acme Notes"


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "//evil.example", "data:text/html,x", "app"]
)
def test_settings_refuse_a_next_step_that_is_not_a_page(url: str) -> None:
    with pytest.raises(ValueError, match="NEXT_STEP_URL"):
        WebSettings.from_env({"NEXT_STEP_URL": url})


def test_settings_read_the_call_timeout_and_the_client_address_secret() -> None:
    secret = "k" * 43
    settings = WebSettings.from_env({"API_TIMEOUT_SECONDS": "2.5", "CLIENT_ADDRESS_SECRET": secret})
    assert settings.api_timeout_seconds == 2.5
    assert settings.client_address_secret == secret
    # Settings get logged and shown in tracebacks; the secret must not.
    assert secret not in repr(settings)


def test_settings_send_the_current_client_address_secret_while_it_rotates() -> None:
    # The stage's value lists the current secret first, then the old one the API still accepts.
    new, old = "n" * 43, "o" * 43
    settings = WebSettings.from_env({"CLIENT_ADDRESS_SECRET": f"{new}\n{old}"})
    assert settings.client_address_secret == new


def test_settings_default_timeout_and_no_secret() -> None:
    settings = WebSettings.from_env({})
    assert settings.api_timeout_seconds == 15.0
    assert settings.client_address_secret == ""


@pytest.mark.parametrize("value", ["0", "-1", "31", "soon", "nan"])
def test_settings_refuse_a_timeout_outside_the_gateways(value: str) -> None:
    with pytest.raises(ValueError, match="API_TIMEOUT_SECONDS"):
        WebSettings.from_env({"API_TIMEOUT_SECONDS": value})
