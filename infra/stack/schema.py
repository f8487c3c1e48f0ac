"""A stage's policy, read once from its stack and validated before anything is built.

There is one schema and one loader. `PulumiValues` feeds it what the Pulumi
CLI hands a program (strings); `StackFile` feeds it a committed
`Pulumi.<stage>.yaml` directly, holding each value to its YAML type, for the
local stage, the bench and CI. `python -m infra.stack.schema FILE` prints a stack
file's first CORS origin (the deploy workflow's smoke preflight uses it).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Final, TypeVar

import pulumi
import yaml  # type: ignore[import-untyped]  # (no stubs pinned; one safe_load)

from contract.bounds import (
    DEFAULT_REFRESH_TOKEN_SECONDS,
    DEFAULT_RESET_TTL_SECONDS,
    MAX_ACCESS_TOKEN_SECONDS,
    MAX_REFRESH_TOKEN_SECONDS,
    MAX_RESET_TTL_SECONDS,
)
from contract.limits import (
    DEFAULT_RATE_LIMIT_MAILS_PER_ADDRESS,
    DEFAULT_RATE_LIMIT_PER_IDENTIFIER_GLOBAL,
    RateLimit,
)
from contract.rules.password import DEFAULT_MIN_SCORE, MAX_SCORE, MIN_SCORE
from contract.signing import DEFAULT_SIGNING_ALGORITHM, SIGNING_ALGORITHMS, SigningAlgorithm
from infra.stack.reading import Reader, StackValues, StageConfigError, check, strictly
from infra.stack.web import WebConfig, parse_web_config

# CloudWatch Logs accepts only these retention periods; anything else fails at
# deploy time, after half the stack exists, so refuse it here.
LOG_RETENTION_DAYS: Final = frozenset(
    {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096}
    | {1827, 2192, 2557, 2922, 3288, 3653}
)
ARCHITECTURES: Final = frozenset({"arm64", "x86_64"})
PROJECT: Final = "signup"
LOG_LEVELS: Final = frozenset({"DEBUG", "INFO", "WARNING", "ERROR"})
_ORIGIN: Final = re.compile(r"^https?://[a-z0-9.-]+(:[0-9]{1,5})?$")
_STAGE: Final = re.compile(r"^[a-z][a-z0-9-]{0,20}$")
_DOMAIN: Final = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_AUDIENCE: Final = re.compile(r"^[a-z0-9][a-z0-9._:-]{0,99}$")
_ADDRESS: Final = re.compile(r"^[a-z0-9._+-]{1,64}@[a-z0-9.-]+\.[a-z]{2,63}$")
# IAM's policy names (1 to 128 of these characters), or a policy's ARN.
_POLICY: Final = re.compile(
    r"^([\w+=,.@-]{1,128}|arn:aws[a-z-]*:iam::[0-9]{12}:policy/[\w+=,.@/-]{1,128})$"
)
# The permissions boundary's conventional name (docs/permissions-boundary.json).
BOUNDARY_POLICY: Final = "signup-boundary"
# Load balancer and target group names have at most 32 characters (Elastic
# Load Balancing's CreateLoadBalancer); the page's longest is its balancer's,
# to which Pulumi appends a dash and 7 random characters.
ELB_NAME_LIMIT: Final = 32
_LONGEST_ELB_NAME: Final = PROJECT + "-{stage}-web-alb-0123456"
_T = TypeVar("_T")

# The keys a stack file may set under `signup:`, with their YAML types (the
# CLI hands the program strings, so a quoted "12" would otherwise slip
# through). The pepper is a secret, set per stack with `pulumi config set --secret`.
KEY_TYPES: Final[dict[str, type]] = {
    "architecture": str,
    "memoryMb": int,
    "logLevel": str,
    "bcryptCost": int,
    "passwordMinLength": int,
    "passwordMinScore": int,
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
    "alarmMailFailuresThreshold": int,
    "verificationTtlSeconds": int,
    "mailFrom": str,
    "mailDomain": str,
    "rateLimitPerAddress": str,
    "rateLimitPerIdentifier": str,
    "rateLimitPerIdentifierGlobal": str,
    "rateLimitMailsPerAddress": str,
    # The hosted sign-up page: one object, its sub-keys in infra/stack/web.py.
    "web": dict,
    # Signing in (issue 22): the tokens' audience and lifetimes, the failure limits.
    "tokenAudience": str,
    "accessTokenSeconds": int,
    "refreshTokenSeconds": int,
    "rateLimitSignInFailures": str,
    "rateLimitSignInFailuresGlobal": str,
    "tokenSigningKeys": list,
    # The tokens' JWS algorithm: ES256 (default) or RS256 (contract/signing.py).
    "tokenAlgorithm": str,
    # The permissions boundary on every role the program creates: a policy
    # name in the stack's account, or an ARN (infra/components/boundary.py).
    "permissionsBoundary": str,
    # Password reset (issue 23): how long a reset link works.
    "resetTtlSeconds": int,
}
# reservedConcurrency: absent means unreserved. Lambda keeps 100 executions of
# the account's quota unreserved, so on a new account (quota 10 or 50) any
# reservation fails the deploy; the stage's API throttle bounds load anyway.
# mailDomain: absent means the from address itself is the SES identity (dev).
# The sign-in keys default to signup-<stage>, 900 s, 30 days, 5/900, 100/3600,
# [1] and ES256.
SIGN_IN_KEYS: Final = (
    "tokenAudience",
    "accessTokenSeconds",
    "refreshTokenSeconds",
    "rateLimitSignInFailures",
    "rateLimitSignInFailuresGlobal",
    "tokenSigningKeys",
    "tokenAlgorithm",
)
# passwordMinScore, rateLimitPerIdentifierGlobal, rateLimitMailsPerAddress:
# absent means the function's defaults (backend/config.py).
SIGN_UP_KEYS: Final = (
    "passwordMinScore",
    "rateLimitPerIdentifierGlobal",
    "rateLimitMailsPerAddress",
)
OPTIONAL_KEYS: Final = (
    "alarmActions",
    "reservedConcurrency",
    "mailDomain",
    *SIGN_UP_KEYS,
    *SIGN_IN_KEYS,
    # Absent means BOUNDARY_POLICY, created once per account.
    "permissionsBoundary",
    # Absent means DEFAULT_RESET_TTL_SECONDS (an hour).
    "resetTtlSeconds",
)
REQUIRED_KEYS: Final = tuple(key for key in KEY_TYPES if key not in OPTIONAL_KEYS)
SECRET_KEYS: Final = ("pepper", "clientAddressSecret")


@dataclass(frozen=True)
class AlarmThresholds:
    """Sums per minute above which an alarm fires."""

    api_5xx: int
    lambda_errors: int
    lambda_throttles: int
    mail_failures: int
    actions: tuple[str, ...]


@dataclass(frozen=True)
class TokenConfig:
    """Signing in: who the access tokens are for, how long they and sessions live, the limits."""

    audience: str
    access_token_seconds: int
    refresh_token_seconds: int
    rate_limit_sign_in_failures: RateLimit
    rate_limit_sign_in_failures_global: RateLimit
    # Key generations, the signing one first (a second only during a rotation).
    signing_keys: tuple[int, ...] = (1,)
    # RS256 for tokens an HTTP API JWT authorizer must accept (README).
    algorithm: SigningAlgorithm = DEFAULT_SIGNING_ALGORITHM


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
    reserved_concurrency: int | None
    log_retention_days: int
    point_in_time_recovery: bool
    deletion_protection: bool
    retain_on_delete: bool
    alarms: AlarmThresholds
    verification_ttl_seconds: int
    reset_ttl_seconds: int
    mail_from: str
    mail_domain: str | None
    rate_limit_per_address: RateLimit
    rate_limit_per_identifier: RateLimit
    web: WebConfig
    tokens: TokenConfig
    permissions_boundary: str
    password_min_score: int = DEFAULT_MIN_SCORE
    rate_limit_per_identifier_global: RateLimit = DEFAULT_RATE_LIMIT_PER_IDENTIFIER_GLOBAL
    rate_limit_mails_per_address: RateLimit = DEFAULT_RATE_LIMIT_MAILS_PER_ADDRESS


class PulumiValues:
    """The program's config as the Pulumi CLI hands it over: strings, structured values as JSON."""

    def __init__(self, config: pulumi.Config) -> None:
        self._config = config

    def get(self, key: str, kind: type[_T]) -> _T | None:
        """Parsed by Pulumi's own typed getters."""
        readers: dict[type, Callable[[str], object]] = {
            int: self._config.get_int,
            bool: self._config.get_bool,
            str: self._config.get,
            list: self._config.get_object,
            dict: self._config.get_object,
        }
        value = readers[kind](key)
        if value is not None and not isinstance(value, kind):
            raise StageConfigError(f"{key}: must be a {kind.__name__}")
        return value


class StackFile:
    """A committed `Pulumi.<stage>.yaml`, each value held to its YAML type."""

    def __init__(self, path: Path, project: str = PROJECT) -> None:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        config = document.get("config") or {}
        prefix = f"{project}:"
        self.stage = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
        self.region: str | None = config.get("aws:region")
        self.values = {k.removeprefix(prefix): v for k, v in config.items() if k.startswith(prefix)}
        unknown = set(self.values) - set(KEY_TYPES) - set(SECRET_KEYS)
        check(not unknown, ", ".join(sorted(unknown)), "is not a key of the stack schema")

    def get(self, key: str, kind: type[_T]) -> _T | None:
        """`type(...) is`, not isinstance: YAML's true is a bool, and bool is an int."""
        return strictly(key, self.values.get(key), kind)


def read_stack_file(path: Path) -> StageConfig:
    """The validated policy of a committed stack file (no secrets are read)."""
    stack = StackFile(path)
    return load_stage_config(stack, stack.stage)


def load_stage_config(values: StackValues, stage: str) -> StageConfig:
    """Read and validate the stage's policy; raise StageConfigError naming the bad key."""
    check(bool(_STAGE.match(stage)), "stack", f"stack name {stage!r} must match {_STAGE.pattern}")
    schema = _Schema(values)
    # zxcvbn's scores: 0 (too guessable) to 4.
    min_score = schema.optional_integer("passwordMinScore", MIN_SCORE, MAX_SCORE)
    loaded = StageConfig(
        stage=stage,
        architecture=schema.choice("architecture", ARCHITECTURES),
        memory_mb=schema.integer("memoryMb", 128, 10240),
        log_level=schema.choice("logLevel", LOG_LEVELS),
        # Cost 10 is the floor OWASP accepts for bcrypt; above 14 a hash takes
        # over a second even on 1 GB and eats the function's timeout.
        bcrypt_cost=schema.integer("bcryptCost", 10, 14),
        password_min_length=schema.integer("passwordMinLength", 8, 128),
        cors_origins=schema.origins(),
        throttle_rate_limit=schema.integer("throttleRateLimit", 1, 10000),
        throttle_burst_limit=schema.integer("throttleBurstLimit", 1, 5000),
        reserved_concurrency=schema.optional_integer("reservedConcurrency", 1, 1000),
        log_retention_days=schema.integer("logRetentionDays", 1, 3653),
        point_in_time_recovery=schema.flag("pointInTimeRecovery"),
        deletion_protection=schema.flag("deletionProtection"),
        retain_on_delete=schema.flag("retainOnDelete"),
        alarms=AlarmThresholds(
            api_5xx=schema.integer("alarmApi5xxThreshold", 0, 100000),
            lambda_errors=schema.integer("alarmLambdaErrorsThreshold", 0, 100000),
            lambda_throttles=schema.integer("alarmLambdaThrottlesThreshold", 0, 100000),
            mail_failures=schema.integer("alarmMailFailuresThreshold", 0, 100000),
            actions=schema.alarm_actions(),
        ),
        # A minute at least (a link must survive the trip through a mail box),
        # a week at most (SES's own verification links last a day).
        verification_ttl_seconds=schema.integer("verificationTtlSeconds", 60, 7 * 24 * 3600),
        # A reset link opens the account: an hour by default, a day at most.
        reset_ttl_seconds=_default(
            schema.optional_integer("resetTtlSeconds", 60, MAX_RESET_TTL_SECONDS),
            DEFAULT_RESET_TTL_SECONDS,
        ),
        mail_from=schema.sender(),
        mail_domain=schema.domain("mailDomain"),
        rate_limit_per_address=schema.rate_limit("rateLimitPerAddress"),
        rate_limit_per_identifier=schema.rate_limit("rateLimitPerIdentifier"),
        web=schema.web(),
        password_min_score=_default(min_score, DEFAULT_MIN_SCORE),
        rate_limit_per_identifier_global=schema.rate_limit(
            "rateLimitPerIdentifierGlobal", DEFAULT_RATE_LIMIT_PER_IDENTIFIER_GLOBAL
        ),
        rate_limit_mails_per_address=schema.rate_limit(
            "rateLimitMailsPerAddress", DEFAULT_RATE_LIMIT_MAILS_PER_ADDRESS
        ),
        tokens=schema.tokens(stage),
        permissions_boundary=schema.policy("permissionsBoundary") or BOUNDARY_POLICY,
    )
    check(
        loaded.log_retention_days in LOG_RETENTION_DAYS,
        "logRetentionDays",
        f"must be one of CloudWatch's values {sorted(LOG_RETENTION_DAYS)}",
    )
    if loaded.mail_domain is not None:
        sender_domain = parseaddr(loaded.mail_from)[1].rpartition("@")[2]
        check(
            sender_domain == loaded.mail_domain,
            "mailFrom",
            f"must be an address at mailDomain {loaded.mail_domain!r}",
        )
    # A stage that protects its data is one real people use: a wildcard origin
    # there would let any site drive sign-ups from a visitor's browser.
    check(
        not (loaded.deletion_protection and "*" in loaded.cors_origins),
        "corsOrigins",
        "'*' is refused on a stage with deletionProtection; list the web app's origins",
    )
    # The hosted page names its load balancer after the stage: refused here,
    # not by CreateLoadBalancer after half the stage exists.
    longest = balancer_name_length(stage)
    check(
        not loaded.web.enabled or longest <= ELB_NAME_LIMIT,
        "stack",
        f"{stage!r} makes the load balancer's name {longest} characters (AWS allows"
        f" {ELB_NAME_LIMIT}): use a stack name of at most"
        f" {len(stage) - longest + ELB_NAME_LIMIT} characters (pulumi stack rename)",
    )
    # Without a hosted page, verification links open the page the team serves
    # at its first CORS origin (infra/components/signup_service.py): it must be a real origin.
    check(
        loaded.web.enabled or loaded.cors_origins[0] != "*",
        "corsOrigins",
        "without web.enabled the first origin is where mailed links point; it cannot be '*'",
    )
    return loaded


def balancer_name_length(stage: str) -> int:
    """How long the stage's load balancer's name will be, Pulumi's suffix included."""
    return len(_LONGEST_ELB_NAME.format(stage=stage))


def require_pepper(config: pulumi.Config) -> pulumi.Output[str]:
    """The per-stage pepper, refused unless it was stored with `pulumi config set --secret`."""
    return _require_stage_secret(config, "pepper")


def require_client_address_secret(config: pulumi.Config) -> pulumi.Output[str]:
    """The secret only the web server and the function hold, refused unless stored with --secret."""
    return _require_stage_secret(config, "clientAddressSecret")


def _require_stage_secret(config: pulumi.Config, key: str) -> pulumi.Output[str]:
    value = config.require_secret(key)
    check(pulumi.runtime.is_config_secret(f"{config.name}:{key}"), key, "set it with --secret")
    return value.apply(lambda text: _checked_secret(key, text))


def _checked_secret(key: str, value: str) -> str:
    # 32 characters of base64 carry ~190 bits; anything shorter is guessable
    # enough to make offline cracking of a stolen table practical again (the
    # pepper), or to let anyone claim any client address (the web server's).
    # The client-address secret may list old values after the current one
    # while it rotates (backend/client_address.py): each must be as strong.
    values = value.split() if key == "clientAddressSecret" else [value]
    strong = bool(values) and all(len(item) >= 32 for item in values)
    check(strong, key, "must be at least 32 characters (openssl rand -base64 48)")
    return value


def _default(value: _T | None, default: _T) -> _T:
    return default if value is None else value


class _Schema(Reader):
    """The stage's own reads on top of the typed reader: origins, sender, limits, tokens."""

    def origins(self) -> tuple[str, ...]:
        origins = self.strings("corsOrigins", self.require("corsOrigins", list))
        check(bool(origins), "corsOrigins", "must list at least one origin")
        for origin in origins:
            ok = origin == "*" or bool(_ORIGIN.match(origin))
            check(
                ok, "corsOrigins", f"{origin!r} is not scheme://host[:port] (no path, lower case)"
            )
        return origins

    def sender(self) -> str:
        """`Display Name <address>` (or a bare address) that SES can send as."""
        value = self.require("mailFrom", str)
        address = parseaddr(value)[1]
        ok = bool(_ADDRESS.match(address)) and address.lower() == address
        check(ok, "mailFrom", f"{value!r} is not Name <local@domain> (lower-case address)")
        return value

    def rate_limit(self, key: str, default: RateLimit | None = None) -> RateLimit:
        """`LIMIT/SECONDS`, a window of at most a day; `default` when absent (if given)."""
        if default is not None and self.read(key, str) is None:
            return default
        value = self.require(key, str)
        try:
            limit = RateLimit.parse(value)
        except ValueError as exc:
            raise StageConfigError(f"{key}: {exc}") from exc
        check(limit.seconds <= 86400, key, "the window is at most a day (86400 seconds)")
        return limit

    def tokens(self, stage: str) -> TokenConfig:
        audience = self.read("tokenAudience", str)
        audience = f"{PROJECT}-{stage}" if audience is None else audience
        check(bool(_AUDIENCE.match(audience)), "tokenAudience", f"{audience!r} is not a slug")
        access = _default(self.read("accessTokenSeconds", int), MAX_ACCESS_TOKEN_SECONDS)
        check(
            60 <= access <= MAX_ACCESS_TOKEN_SECONDS,
            "accessTokenSeconds",
            f"{access} is outside 60..{MAX_ACCESS_TOKEN_SECONDS} (tokens cannot be revoked)",
        )
        refresh = _default(self.read("refreshTokenSeconds", int), DEFAULT_REFRESH_TOKEN_SECONDS)
        check(
            access <= refresh <= MAX_REFRESH_TOKEN_SECONDS,
            "refreshTokenSeconds",
            f"{refresh} is outside accessTokenSeconds..{MAX_REFRESH_TOKEN_SECONDS}",
        )
        return TokenConfig(
            audience=audience,
            access_token_seconds=access,
            refresh_token_seconds=refresh,
            rate_limit_sign_in_failures=self._optional_limit("rateLimitSignInFailures", "5/900"),
            rate_limit_sign_in_failures_global=self._optional_limit(
                "rateLimitSignInFailuresGlobal", "100/3600"
            ),
            signing_keys=self._key_generations(),
            algorithm=self._algorithm(),
        )

    def _algorithm(self) -> SigningAlgorithm:
        name = _default(self.read("tokenAlgorithm", str), DEFAULT_SIGNING_ALGORITHM.name)
        check(
            name in SIGNING_ALGORITHMS,
            "tokenAlgorithm",
            f"{name!r} is not one of {sorted(SIGNING_ALGORITHMS)}",
        )
        return SIGNING_ALGORITHMS[name]

    def _key_generations(self) -> tuple[int, ...]:
        value = _default(self.read("tokenSigningKeys", list), [1])
        ok = (
            1 <= len(value) <= 2
            and all(type(n) is int and 1 <= n <= 999 for n in value)
            and len(set(value)) == len(value)
        )
        check(ok, "tokenSigningKeys", "must be one or two distinct generations, e.g. [2, 1]")
        return tuple(value)

    def _optional_limit(self, key: str, default: str) -> RateLimit:
        value = _default(self.read(key, str), default)
        try:
            limit = RateLimit.parse(value)
        except ValueError as exc:
            raise StageConfigError(f"{key}: {exc}") from exc
        check(limit.seconds <= 86400, key, "the window is at most a day (86400 seconds)")
        return limit

    def policy(self, key: str) -> str | None:
        value = self.read(key, str)
        check(value is None or bool(_POLICY.match(value)), key, f"{value!r} is not a policy")
        return value

    def domain(self, key: str) -> str | None:
        value = self.read(key, str)
        check(value is None or bool(_DOMAIN.match(value)), key, f"{value!r} is not a domain")
        return value

    def web(self) -> WebConfig:
        return parse_web_config(self.require("web", dict))

    def alarm_actions(self) -> tuple[str, ...]:
        value = self.read("alarmActions", list)
        actions = self.strings("alarmActions", value or [])
        for arn in actions:
            ok = arn.startswith("arn:") and "*" not in arn
            check(ok, "alarmActions", f"{arn!r} is not an ARN (e.g. an SNS topic)")
        return actions


if __name__ == "__main__":
    origins = read_stack_file(Path(sys.argv[1])).cors_origins
    print(origins[0] if origins else "")  # noqa: T201 (the output is the point)
