"""The function's settings as the stage's policy makes them: on AWS and on the local stage alike.

`stage_settings` is the one translation from a stack file's policy (password
minimum, bcrypt cost, limits, TTLs, sender) into the function's `Settings`;
the AWS program adds the names of its resources, the local stage its local
plumbing (DynamoDB Local, the pepper's value, the mail outbox).
"""

from __future__ import annotations

from typing import Any

from backend.config import Settings
from contract.environment import LOG_LEVEL
from infra.stack.schema import StageConfig


def stage_settings(stage: StageConfig, *, table_name: str, **plumbing: Any) -> Settings:
    """The stage's policy as the function's settings; `plumbing` names where things are."""
    return Settings(
        table_name=table_name,
        bcrypt_cost=stage.bcrypt_cost,
        password_min_length=stage.password_min_length,
        password_min_score=stage.password_min_score,
        verification_ttl_seconds=stage.verification_ttl_seconds,
        reset_ttl_seconds=stage.reset_ttl_seconds,
        mail_from=stage.mail_from,
        rate_limit_per_address=stage.rate_limit_per_address,
        rate_limit_per_identifier=stage.rate_limit_per_identifier,
        rate_limit_per_identifier_global=stage.rate_limit_per_identifier_global,
        rate_limit_mails_per_address=stage.rate_limit_mails_per_address,
        token_algorithm=stage.tokens.algorithm,
        **plumbing,
    )


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
    settings = stage_settings(
        stage,
        table_name=table_name,
        pepper_parameter=pepper_parameter,
        web_url=web_url,
        mail_configuration_set=mail_configuration_set,
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
