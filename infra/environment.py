"""The function's environment as a value, from the stage's config and the names of its resources."""

from __future__ import annotations

from backend.config import Settings
from infra.config import StageConfig

# Powertools reads its log level from here; the service name and metrics
# namespace are fixed in contract/routes.py.
LOG_LEVEL: str = "POWERTOOLS_LOG_LEVEL"


def function_environment(
    stage: StageConfig,
    *,
    table_name: str,
    pepper_parameter: str,
    mail_configuration_set: str,
    web_url: str | None = None,
    client_address_secret_parameter: str | None = None,
    token_issuer: str | None = None,
    signing_key_id: str | None = None,
    previous_signing_key_id: str | None = None,
) -> dict[str, str]:
    """Exactly what `backend.config.Settings.from_env` reads, plus the log level."""
    settings = Settings(
        table_name=table_name,
        bcrypt_cost=stage.bcrypt_cost,
        password_min_length=stage.password_min_length,
        pepper_parameter=pepper_parameter,
        web_url=web_url,
        verification_ttl_seconds=stage.verification_ttl_seconds,
        mail_from=stage.mail_from,
        mail_configuration_set=mail_configuration_set,
        rate_limit_per_address=stage.rate_limit_per_address,
        rate_limit_per_identifier=stage.rate_limit_per_identifier,
        client_address_secret_parameter=client_address_secret_parameter,
        token_issuer=token_issuer,
        token_audience=stage.tokens.audience,
        signing_key_id=signing_key_id,
        previous_signing_key_id=previous_signing_key_id,
        access_token_seconds=stage.tokens.access_token_seconds,
        refresh_token_seconds=stage.tokens.refresh_token_seconds,
        rate_limit_sign_in_failures=stage.tokens.rate_limit_sign_in_failures,
        rate_limit_sign_in_failures_global=stage.tokens.rate_limit_sign_in_failures_global,
    )
    return {**settings.to_env(), LOG_LEVEL: stage.log_level}
