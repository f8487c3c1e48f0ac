"""The function's settings: the one home of its environment variables, their defaults and parsing.

`Settings.from_env` reads the environment at the edge (the handler); `to_env`
writes the same variables, so Pulumi, the local stage, the tests and the
bench hand the function its configuration in exactly one spelling.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Final

from contract.bounds import (
    DEFAULT_BCRYPT_COST,
    DEFAULT_REFRESH_TOKEN_SECONDS,
    DEFAULT_RESET_TTL_SECONDS,
    DEFAULT_VERIFICATION_TTL_SECONDS,
    MAX_ACCESS_TOKEN_SECONDS,
    MAX_BCRYPT_COST,
    MAX_REFRESH_TOKEN_SECONDS,
    MAX_RESET_TTL_SECONDS,
    MAX_VERIFICATION_TTL_SECONDS,
    MIN_BCRYPT_COST,
    MIN_SECRET_BYTES,
)
from contract.environment import (
    ACCESS_TOKEN_SECONDS,
    BCRYPT_COST,
    CLIENT_ADDRESS_SECRET,
    CLIENT_ADDRESS_SECRET_PARAMETER,
    DEFAULT_MAIL_FROM,
    DYNAMODB_ENDPOINT,
    MAIL_CONFIGURATION_SET,
    MAIL_FROM,
    MAIL_OUTBOX_DIR,
    PASSWORD_MIN_LENGTH,
    PASSWORD_MIN_SCORE,
    PASSWORD_PEPPER,
    PEPPER_PARAMETER,
    PREVIOUS_SIGNING_KEY_ID,
    RATE_LIMIT_MAILS_PER_ADDRESS,
    RATE_LIMIT_PER_ADDRESS,
    RATE_LIMIT_PER_IDENTIFIER,
    RATE_LIMIT_PER_IDENTIFIER_GLOBAL,
    RATE_LIMIT_SIGN_IN_FAILURES,
    RATE_LIMIT_SIGN_IN_FAILURES_GLOBAL,
    RATE_LIMITS,
    REFRESH_TOKEN_SECONDS,
    RESET_TTL_SECONDS,
    SIGNING_KEY_ID,
    TABLE_NAME,
    TOKEN_ALGORITHM,
    TOKEN_AUDIENCE,
    TOKEN_ISSUER,
    VERIFICATION_TTL_SECONDS,
    WEB_URL,
)
from contract.limits import (
    DEFAULT_RATE_LIMIT_MAILS_PER_ADDRESS,
    DEFAULT_RATE_LIMIT_PER_IDENTIFIER_GLOBAL,
    RateLimit,
)
from contract.rules import DEFAULT_MIN_LENGTH, DEFAULT_MIN_SCORE, PasswordPolicy
from contract.rules.password import MAX_SCORE, MIN_SCORE
from contract.signing import DEFAULT_SIGNING_ALGORITHM, SIGNING_ALGORITHMS, SigningAlgorithm

DEFAULT_RATE_LIMIT_PER_ADDRESS: Final = RateLimit(30, 60)
DEFAULT_RATE_LIMIT_PER_IDENTIFIER: Final = RateLimit(5, 3600)
MIN_CLIENT_ADDRESS_SECRET_BYTES: Final = MIN_SECRET_BYTES
# Sign-in failures: per account and client, and per account across clients.
DEFAULT_RATE_LIMIT_SIGN_IN_FAILURES: Final = RateLimit(5, 900)
DEFAULT_RATE_LIMIT_SIGN_IN_FAILURES_GLOBAL: Final = RateLimit(100, 3600)
DEFAULT_TOKEN_AUDIENCE: Final = "signup"  # noqa: S105 - an audience, no secret


class ConfigurationError(Exception):
    """The function's environment is missing or has an invalid setting."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What the handler needs to know about its stage."""

    table_name: str
    bcrypt_cost: int = DEFAULT_BCRYPT_COST
    password_min_length: int = DEFAULT_MIN_LENGTH
    password_min_score: int = DEFAULT_MIN_SCORE
    pepper_parameter: str | None = None
    pepper_value: str | None = field(default=None, repr=False)
    dynamodb_endpoint: str | None = None
    web_url: str | None = None
    verification_ttl_seconds: int = DEFAULT_VERIFICATION_TTL_SECONDS
    reset_ttl_seconds: int = DEFAULT_RESET_TTL_SECONDS
    mail_from: str = DEFAULT_MAIL_FROM
    mail_configuration_set: str | None = None
    mail_outbox_dir: str | None = None
    rate_limits: bool = True
    rate_limit_per_address: RateLimit = DEFAULT_RATE_LIMIT_PER_ADDRESS
    rate_limit_per_identifier: RateLimit = DEFAULT_RATE_LIMIT_PER_IDENTIFIER
    rate_limit_per_identifier_global: RateLimit = DEFAULT_RATE_LIMIT_PER_IDENTIFIER_GLOBAL
    rate_limit_mails_per_address: RateLimit = DEFAULT_RATE_LIMIT_MAILS_PER_ADDRESS
    client_address_secret_parameter: str | None = None
    client_address_secret_value: str | None = field(default=None, repr=False)
    # Access tokens: the issuer is the stage's API URL; without a signing key
    # (KMS key id) the stage serves no sign-in unless a signer is handed in.
    token_issuer: str | None = None
    token_audience: str = DEFAULT_TOKEN_AUDIENCE
    signing_key_id: str | None = None
    previous_signing_key_id: str | None = None
    token_algorithm: SigningAlgorithm = DEFAULT_SIGNING_ALGORITHM
    access_token_seconds: int = MAX_ACCESS_TOKEN_SECONDS
    refresh_token_seconds: int = DEFAULT_REFRESH_TOKEN_SECONDS
    rate_limit_sign_in_failures: RateLimit = DEFAULT_RATE_LIMIT_SIGN_IN_FAILURES
    rate_limit_sign_in_failures_global: RateLimit = DEFAULT_RATE_LIMIT_SIGN_IN_FAILURES_GLOBAL

    def __post_init__(self) -> None:
        if not self.table_name:
            raise ConfigurationError(f"{TABLE_NAME} is not set")
        if not self.pepper_parameter and not self.pepper_value:
            raise ConfigurationError(
                f"set {PEPPER_PARAMETER} (SSM) or {PASSWORD_PEPPER} (local use)"
            )
        if not MIN_BCRYPT_COST <= self.bcrypt_cost <= MAX_BCRYPT_COST:
            raise ConfigurationError(
                f"{BCRYPT_COST} must be between {MIN_BCRYPT_COST} and {MAX_BCRYPT_COST}"
            )
        if not MIN_SCORE <= self.password_min_score <= MAX_SCORE:
            raise ConfigurationError(
                f"{PASSWORD_MIN_SCORE} must be a zxcvbn score, {MIN_SCORE} to {MAX_SCORE}"
            )
        try:
            self.policy  # noqa: B018 - validates the minimum against the policy's bounds
        except ValueError as exc:
            raise ConfigurationError(f"{PASSWORD_MIN_LENGTH}: {exc}") from exc
        if not 1 <= self.verification_ttl_seconds <= MAX_VERIFICATION_TTL_SECONDS:
            raise ConfigurationError(
                f"{VERIFICATION_TTL_SECONDS} must be between 1 and {MAX_VERIFICATION_TTL_SECONDS}"
            )
        if not 60 <= self.reset_ttl_seconds <= MAX_RESET_TTL_SECONDS:
            raise ConfigurationError(f"{RESET_TTL_SECONDS} must be 60 to {MAX_RESET_TTL_SECONDS}")
        if "@" not in parseaddr(self.mail_from)[1]:
            raise ConfigurationError(f"{MAIL_FROM} must be an address, e.g. Name <a@example.com>")
        self._check_tokens()
        secret = self.client_address_secret_value
        if secret is not None and len(secret.encode()) < MIN_CLIENT_ADDRESS_SECRET_BYTES:
            raise ConfigurationError(
                f"{CLIENT_ADDRESS_SECRET} must be at least {MIN_CLIENT_ADDRESS_SECRET_BYTES} bytes"
            )

    def _check_tokens(self) -> None:
        if not 60 <= self.access_token_seconds <= MAX_ACCESS_TOKEN_SECONDS:
            raise ConfigurationError(
                f"{ACCESS_TOKEN_SECONDS} must be between 60 and {MAX_ACCESS_TOKEN_SECONDS}"
            )
        if not self.access_token_seconds <= self.refresh_token_seconds <= MAX_REFRESH_TOKEN_SECONDS:
            raise ConfigurationError(
                f"{REFRESH_TOKEN_SECONDS} must be between {ACCESS_TOKEN_SECONDS} and "
                f"{MAX_REFRESH_TOKEN_SECONDS}"
            )
        if not self.token_audience:
            raise ConfigurationError(f"{TOKEN_AUDIENCE} must not be empty")

    def require_token_issuer(self) -> str:
        """The issuer URL tokens name (`iss`); verifiers fetch the stage's keys under it."""
        if not self.token_issuer:
            raise ConfigurationError(f"{TOKEN_ISSUER} is not set: tokens need their issuer URL")
        return self.token_issuer

    @property
    def policy(self) -> PasswordPolicy:
        """The stage's password policy."""
        return PasswordPolicy(
            min_length=self.password_min_length, min_score=self.password_min_score
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Parse and check the variables; raise ConfigurationError naming what is wrong."""
        return cls(
            table_name=env.get(TABLE_NAME, ""),
            bcrypt_cost=_int(env, BCRYPT_COST, DEFAULT_BCRYPT_COST),
            password_min_length=_int(env, PASSWORD_MIN_LENGTH, DEFAULT_MIN_LENGTH),
            password_min_score=_int(env, PASSWORD_MIN_SCORE, DEFAULT_MIN_SCORE),
            pepper_parameter=env.get(PEPPER_PARAMETER) or None,
            pepper_value=env.get(PASSWORD_PEPPER) or None,
            dynamodb_endpoint=env.get(DYNAMODB_ENDPOINT) or None,
            web_url=(env.get(WEB_URL) or "").rstrip("/") or None,
            verification_ttl_seconds=_int(
                env, VERIFICATION_TTL_SECONDS, DEFAULT_VERIFICATION_TTL_SECONDS
            ),
            reset_ttl_seconds=_int(env, RESET_TTL_SECONDS, DEFAULT_RESET_TTL_SECONDS),
            mail_from=env.get(MAIL_FROM) or DEFAULT_MAIL_FROM,
            mail_configuration_set=env.get(MAIL_CONFIGURATION_SET) or None,
            mail_outbox_dir=env.get(MAIL_OUTBOX_DIR) or None,
            rate_limits=env.get(RATE_LIMITS, "on").strip().lower() != "off",
            rate_limit_per_address=_limit(
                env, RATE_LIMIT_PER_ADDRESS, DEFAULT_RATE_LIMIT_PER_ADDRESS
            ),
            rate_limit_per_identifier=_limit(
                env, RATE_LIMIT_PER_IDENTIFIER, DEFAULT_RATE_LIMIT_PER_IDENTIFIER
            ),
            rate_limit_per_identifier_global=_limit(
                env, RATE_LIMIT_PER_IDENTIFIER_GLOBAL, DEFAULT_RATE_LIMIT_PER_IDENTIFIER_GLOBAL
            ),
            rate_limit_mails_per_address=_limit(
                env, RATE_LIMIT_MAILS_PER_ADDRESS, DEFAULT_RATE_LIMIT_MAILS_PER_ADDRESS
            ),
            client_address_secret_parameter=env.get(CLIENT_ADDRESS_SECRET_PARAMETER) or None,
            client_address_secret_value=env.get(CLIENT_ADDRESS_SECRET) or None,
            token_issuer=(env.get(TOKEN_ISSUER) or "").rstrip("/") or None,
            token_audience=env.get(TOKEN_AUDIENCE) or DEFAULT_TOKEN_AUDIENCE,
            signing_key_id=env.get(SIGNING_KEY_ID) or None,
            previous_signing_key_id=env.get(PREVIOUS_SIGNING_KEY_ID) or None,
            token_algorithm=_algorithm(env),
            access_token_seconds=_int(env, ACCESS_TOKEN_SECONDS, MAX_ACCESS_TOKEN_SECONDS),
            refresh_token_seconds=_int(env, REFRESH_TOKEN_SECONDS, DEFAULT_REFRESH_TOKEN_SECONDS),
            rate_limit_sign_in_failures=_limit(
                env, RATE_LIMIT_SIGN_IN_FAILURES, DEFAULT_RATE_LIMIT_SIGN_IN_FAILURES
            ),
            rate_limit_sign_in_failures_global=_limit(
                env, RATE_LIMIT_SIGN_IN_FAILURES_GLOBAL, DEFAULT_RATE_LIMIT_SIGN_IN_FAILURES_GLOBAL
            ),
        )

    def to_env(self) -> dict[str, str]:
        """The environment that `from_env` reads back as these settings."""
        optional = {
            PEPPER_PARAMETER: self.pepper_parameter,
            PASSWORD_PEPPER: self.pepper_value,
            DYNAMODB_ENDPOINT: self.dynamodb_endpoint,
            WEB_URL: self.web_url,
            MAIL_CONFIGURATION_SET: self.mail_configuration_set,
            MAIL_OUTBOX_DIR: self.mail_outbox_dir,
            CLIENT_ADDRESS_SECRET_PARAMETER: self.client_address_secret_parameter,
            CLIENT_ADDRESS_SECRET: self.client_address_secret_value,
            TOKEN_ISSUER: self.token_issuer,
            SIGNING_KEY_ID: self.signing_key_id,
            PREVIOUS_SIGNING_KEY_ID: self.previous_signing_key_id,
            # Written only when not the default: an ES256 stage's environment stays as it was.
            TOKEN_ALGORITHM: None
            if self.token_algorithm == DEFAULT_SIGNING_ALGORITHM
            else self.token_algorithm.name,
        }
        return {
            TABLE_NAME: self.table_name,
            BCRYPT_COST: str(self.bcrypt_cost),
            PASSWORD_MIN_LENGTH: str(self.password_min_length),
            PASSWORD_MIN_SCORE: str(self.password_min_score),
            VERIFICATION_TTL_SECONDS: str(self.verification_ttl_seconds),
            RESET_TTL_SECONDS: str(self.reset_ttl_seconds),
            MAIL_FROM: self.mail_from,
            RATE_LIMITS: "on" if self.rate_limits else "off",
            RATE_LIMIT_PER_ADDRESS: str(self.rate_limit_per_address),
            RATE_LIMIT_PER_IDENTIFIER: str(self.rate_limit_per_identifier),
            RATE_LIMIT_PER_IDENTIFIER_GLOBAL: str(self.rate_limit_per_identifier_global),
            RATE_LIMIT_MAILS_PER_ADDRESS: str(self.rate_limit_mails_per_address),
            TOKEN_AUDIENCE: self.token_audience,
            ACCESS_TOKEN_SECONDS: str(self.access_token_seconds),
            REFRESH_TOKEN_SECONDS: str(self.refresh_token_seconds),
            RATE_LIMIT_SIGN_IN_FAILURES: str(self.rate_limit_sign_in_failures),
            RATE_LIMIT_SIGN_IN_FAILURES_GLOBAL: str(self.rate_limit_sign_in_failures_global),
            **{name: value for name, value in optional.items() if value},
        }

    def require_web_url(self) -> str:
        """Where verification links point; sending links without it would strand people."""
        if not self.web_url:
            raise ConfigurationError(f"{WEB_URL} is not set: verification links need the page")
        return self.web_url

    def require_configuration_set(self) -> str:
        """The SES configuration set every mail goes through (no outbox configured)."""
        if not self.mail_configuration_set:
            raise ConfigurationError(f"set {MAIL_CONFIGURATION_SET} (SES) or {MAIL_OUTBOX_DIR}")
        return self.mail_configuration_set

    def load_client_address_secret(self, read_parameter: Callable[[str], str]) -> bytes | None:
        """The web server's secret: from SSM, else the local value; None when there is none."""
        if self.client_address_secret_parameter:
            return read_parameter(self.client_address_secret_parameter).encode("utf-8")
        return (
            self.client_address_secret_value.encode() if self.client_address_secret_value else None
        )

    def load_pepper(self, read_parameter: Callable[[str], str]) -> bytes:
        """The pepper's bytes: from SSM through `read_parameter`, else the local value."""
        if self.pepper_parameter:
            return read_parameter(self.pepper_parameter).encode("utf-8")
        return (self.pepper_value or "").encode("utf-8")


def _limit(env: Mapping[str, str], name: str, default: RateLimit) -> RateLimit:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return RateLimit.parse(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be LIMIT/SECONDS, e.g. 30/60") from exc


def _algorithm(env: Mapping[str, str]) -> SigningAlgorithm:
    raw = env.get(TOKEN_ALGORITHM, "").strip() or DEFAULT_SIGNING_ALGORITHM.name
    if raw not in SIGNING_ALGORITHMS:
        raise ConfigurationError(f"{TOKEN_ALGORITHM} must be one of {sorted(SIGNING_ALGORITHMS)}")
    return SIGNING_ALGORITHMS[raw]


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a whole number") from exc
