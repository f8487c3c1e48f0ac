"""The secrets every suite uses; tests/plugins/hygiene.py fails any test that lets one leak."""

from __future__ import annotations

import re
from typing import Final

PEPPER: Final = "unit-test-pepper-0123456789abcdef0123456789abcdef"
# Every password the in-process suites send.
PASSWORDS: Final = (
    "analytical engine notes 1843",
    "cobol bugs and moths 1947",
    "correct horse battery staple",
    "ocean violet lantern mosaic",
    "🦄🌈🍕🚀🎸🐙🌵🍩🛸🎲" * 12 + "🦄🌈🍕🚀🎸🐙🌵🍩",
)
# A stored hash, whole or in part: the scheme tag or bcrypt's `$2b$12$` prefix.
HASH_PATTERN: Final = re.compile(r"\$2[aby]\$\d\d\$|hmac-sha384-bcrypt")
