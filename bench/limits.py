"""The rate limits every bench's function runs with, in process on moto and on the local stage.

They are counted (their writes are part of every figure) but never reached: a run sends
thousands of requests from one address, and signs in wrongly hundreds of times.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from contract.environment import (
    RATE_LIMIT_MAILS_PER_ADDRESS,
    RATE_LIMIT_PER_ADDRESS,
    RATE_LIMIT_PER_IDENTIFIER,
    RATE_LIMIT_PER_IDENTIFIER_GLOBAL,
    RATE_LIMIT_SIGN_IN_FAILURES,
    RATE_LIMIT_SIGN_IN_FAILURES_GLOBAL,
)

# In the function's own spelling (its environment), so the stage and Settings.from_env read it.
NEVER_REACHED: Final[Mapping[str, str]] = {
    RATE_LIMIT_PER_ADDRESS: "1000000/60",
    RATE_LIMIT_PER_IDENTIFIER: "1000000/3600",
    RATE_LIMIT_PER_IDENTIFIER_GLOBAL: "1000000/3600",
    RATE_LIMIT_MAILS_PER_ADDRESS: "1000000/86400",
    RATE_LIMIT_SIGN_IN_FAILURES: "1000000/60",
    RATE_LIMIT_SIGN_IN_FAILURES_GLOBAL: "1000000/60",
}
