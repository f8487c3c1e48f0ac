"""The local stage passes this round's limits and floor through from its environment."""

from __future__ import annotations

from contract.environment import (
    PASSWORD_MIN_SCORE,
    RATE_LIMIT_MAILS_PER_ADDRESS,
    RATE_LIMIT_PER_IDENTIFIER_GLOBAL,
)
from infra.local.stage import PASSED_THROUGH, StageOptions, local_settings
from infra.stack.schema import read_stack_file
from tests.support.secrets import PEPPER


def test_local_settings_pass_the_new_limits_and_floor_through() -> None:
    env = {
        PASSWORD_MIN_SCORE: "2",
        RATE_LIMIT_PER_IDENTIFIER_GLOBAL: "9/60",
        RATE_LIMIT_MAILS_PER_ADDRESS: "3/3600",
    }
    assert set(env) <= set(PASSED_THROUGH)
    settings = local_settings(
        stage=read_stack_file(StageOptions().stack_file),
        table_name="users",
        pepper=PEPPER,
        dynamodb_endpoint="http://127.0.0.1:1",
        env=env,
    )
    assert settings.password_min_score == 2
    assert str(settings.rate_limit_per_identifier_global) == "9/60"
    assert str(settings.rate_limit_mails_per_address) == "3/3600"
