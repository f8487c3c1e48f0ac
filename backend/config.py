"""The function's configuration, read once from the environment at the edge."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from backend.rules import PasswordPolicy


class ConfigurationError(Exception):
    """The function's environment is missing or has an invalid setting."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What the handler needs to know about its stage."""

    table_name: str
    bcrypt_cost: int
    policy: PasswordPolicy
    pepper_parameter: str | None = None
    pepper_value: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Parse and check the variables named in the design; raise ConfigurationError if wrong."""
        table_name = env.get("TABLE_NAME", "")
        if not table_name:
            raise ConfigurationError("TABLE_NAME is not set")
        parameter, value = env.get("PEPPER_PARAMETER"), env.get("PASSWORD_PEPPER")
        if not parameter and not value:
            raise ConfigurationError("set PEPPER_PARAMETER (SSM) or PASSWORD_PEPPER (local use)")
        try:
            cost = int(env.get("BCRYPT_COST", "12"))
            policy = PasswordPolicy(min_length=int(env.get("PASSWORD_MIN_LENGTH", "15")))
        except ValueError as exc:
            raise ConfigurationError(f"invalid BCRYPT_COST or PASSWORD_MIN_LENGTH: {exc}") from exc
        if not 4 <= cost <= 31:
            raise ConfigurationError("BCRYPT_COST must be between 4 and 31")
        return cls(table_name, cost, policy, parameter or None, value or None)

    def load_pepper(self, read_parameter: Callable[[str], str]) -> bytes:
        """The pepper's bytes: from SSM through `read_parameter`, else the local value."""
        if self.pepper_parameter:
            return read_parameter(self.pepper_parameter).encode("utf-8")
        return (self.pepper_value or "").encode("utf-8")
