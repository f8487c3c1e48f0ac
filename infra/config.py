"""A stage's policy, read once from its Pulumi stack file and validated before anything is built."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, TypeVar

import pulumi

# CloudWatch Logs accepts only these retention periods; anything else fails at
# deploy time, after half the stack exists, so refuse it here.
LOG_RETENTION_DAYS: Final = frozenset(
    {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096}
    | {1827, 2192, 2557, 2922, 3288, 3653}
)
ARCHITECTURES: Final = frozenset({"arm64", "x86_64"})
LOG_LEVELS: Final = frozenset({"DEBUG", "INFO", "WARNING", "ERROR"})
_ORIGIN: Final = re.compile(r"^https?://[a-z0-9.-]+(:[0-9]{1,5})?$")
_STAGE: Final = re.compile(r"^[a-z][a-z0-9-]{0,20}$")
_T = TypeVar("_T")

# The keys every committed Pulumi.<stage>.yaml must set, with their YAML
# types (the CLI hands the program strings, so a quoted "12" would otherwise
# slip through; tests hold the committed files to these types). The pepper is
# a secret and is set per stack with `pulumi config set --secret`.
KEY_TYPES: Final[dict[str, type]] = {
    "architecture": str,
    "memoryMb": int,
    "logLevel": str,
    "bcryptCost": int,
    "passwordMinLength": int,
    "corsOrigins": list,
    "throttleRateLimit": int,
    "throttleBurstLimit": int,
    "reservedConcurrency": int,
    "logRetentionDays": int,
    "pointInTimeRecovery": bool,
    "deletionProtection": bool,
    "retainOnDelete": bool,
    "alarmApi5xxThreshold": int,
    "alarmLambdaErrorsThreshold": int,
    "alarmLambdaThrottlesThreshold": int,
    "alarmActions": list,
}
OPTIONAL_KEYS: Final = ("alarmActions",)
REQUIRED_KEYS: Final = tuple(key for key in KEY_TYPES if key not in OPTIONAL_KEYS)


class StageConfigError(ValueError):
    """A stack file is missing a policy key or has one with an unusable value."""


@dataclass(frozen=True)
class AlarmThresholds:
    """Sums per minute above which an alarm fires."""

    api_5xx: int
    lambda_errors: int
    lambda_throttles: int
    actions: tuple[str, ...]


@dataclass(frozen=True)
class StageConfig:
    """Everything that differs between dev, staging and prod."""

    stage: str
    architecture: str
    memory_mb: int
    log_level: str
    bcrypt_cost: int
    password_min_length: int
    cors_origins: tuple[str, ...]
    throttle_rate_limit: int
    throttle_burst_limit: int
    reserved_concurrency: int
    log_retention_days: int
    point_in_time_recovery: bool
    deletion_protection: bool
    retain_on_delete: bool
    alarms: AlarmThresholds


def load_stage_config(config: pulumi.Config, stage: str) -> StageConfig:
    """Read and validate the stage's policy; raise StageConfigError naming the bad key."""
    _check(bool(_STAGE.match(stage)), "stack", f"stack name {stage!r} must match {_STAGE.pattern}")
    loaded = StageConfig(
        stage=stage,
        architecture=_choice(config, "architecture", ARCHITECTURES),
        memory_mb=_int(config, "memoryMb", 128, 10240),
        log_level=_choice(config, "logLevel", LOG_LEVELS),
        # Cost 10 is the floor OWASP accepts for bcrypt; above 14 a hash takes
        # over a second even on 1 GB and eats the function's timeout.
        bcrypt_cost=_int(config, "bcryptCost", 10, 14),
        password_min_length=_int(config, "passwordMinLength", 8, 128),
        cors_origins=_origins(config),
        throttle_rate_limit=_int(config, "throttleRateLimit", 1, 10000),
        throttle_burst_limit=_int(config, "throttleBurstLimit", 1, 5000),
        reserved_concurrency=_int(config, "reservedConcurrency", 1, 1000),
        log_retention_days=_int(config, "logRetentionDays", 1, 3653),
        point_in_time_recovery=_bool(config, "pointInTimeRecovery"),
        deletion_protection=_bool(config, "deletionProtection"),
        retain_on_delete=_bool(config, "retainOnDelete"),
        alarms=AlarmThresholds(
            api_5xx=_int(config, "alarmApi5xxThreshold", 0, 100000),
            lambda_errors=_int(config, "alarmLambdaErrorsThreshold", 0, 100000),
            lambda_throttles=_int(config, "alarmLambdaThrottlesThreshold", 0, 100000),
            actions=_alarm_actions(config),
        ),
    )
    _check(
        loaded.log_retention_days in LOG_RETENTION_DAYS,
        "logRetentionDays",
        f"must be one of CloudWatch's values {sorted(LOG_RETENTION_DAYS)}",
    )
    # A stage that protects its data is one real people use: a wildcard origin
    # there would let any site drive sign-ups from a visitor's browser.
    _check(
        not (loaded.deletion_protection and "*" in loaded.cors_origins),
        "corsOrigins",
        "'*' is refused on a stage with deletionProtection; list the web app's origins",
    )
    return loaded


def require_pepper(config: pulumi.Config) -> pulumi.Output[str]:
    """The per-stage pepper, refused unless it was stored with `pulumi config set --secret`."""
    key = f"{config.name}:pepper"
    value = config.require_secret("pepper")
    _check(pulumi.runtime.is_config_secret(key), "pepper", "set it with --secret")
    return value.apply(_checked_pepper)


def _checked_pepper(value: str) -> str:
    # 32 characters of base64 carry ~190 bits; anything shorter is guessable
    # enough to make offline cracking of a stolen table practical again.
    _check(len(value) >= 32, "pepper", "must be at least 32 characters (openssl rand -base64 48)")
    return value


def _check(ok: bool, key: str, message: str) -> None:
    if not ok:
        raise StageConfigError(f"{key}: {message}")


def _read(key: str, read: Callable[[str], _T]) -> _T:
    try:
        return read(key)
    except StageConfigError:
        raise
    except Exception as exc:  # pulumi raises several types; all mean "bad key"
        raise StageConfigError(f"{key}: {exc}") from exc


def _int(config: pulumi.Config, key: str, low: int, high: int) -> int:
    value = _read(key, config.require_int)
    _check(low <= value <= high, key, f"{value} is outside {low}..{high}")
    return value


def _bool(config: pulumi.Config, key: str) -> bool:
    return _read(key, config.require_bool)


def _choice(config: pulumi.Config, key: str, allowed: frozenset[str]) -> str:
    value = _read(key, config.require)
    _check(value in allowed, key, f"{value!r} is not one of {sorted(allowed)}")
    return value


def _string_list(key: str, value: object) -> tuple[str, ...]:
    ok = isinstance(value, list) and all(isinstance(item, str) for item in value)
    _check(ok, key, "must be a list of strings")
    assert isinstance(value, list)  # noqa: S101 - narrows the type for mypy; _check above raised otherwise
    return tuple(value)


def _origins(config: pulumi.Config) -> tuple[str, ...]:
    origins = _string_list("corsOrigins", _read("corsOrigins", config.require_object))
    _check(bool(origins), "corsOrigins", "must list at least one origin")
    for origin in origins:
        ok = origin == "*" or bool(_ORIGIN.match(origin))
        _check(ok, "corsOrigins", f"{origin!r} is not scheme://host[:port] (no path, lower case)")
    return origins


def _alarm_actions(config: pulumi.Config) -> tuple[str, ...]:
    value = _read("alarmActions", config.get_object)
    if value is None:
        return ()
    actions = _string_list("alarmActions", value)
    for arn in actions:
        ok = arn.startswith("arn:") and "*" not in arn
        _check(ok, "alarmActions", f"{arn!r} is not an ARN (e.g. an SNS topic)")
    return actions
