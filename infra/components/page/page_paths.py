"""Page paths at the edge: the CloudFront Function that maps `/verify` to the export's HTML.

The function's code is page_paths.js beside this module (what CloudFront
runs); `object_key` is the same rule in Python, for the local proof's
bucket stand-in (tests/support/bucket.py). A test runs the JavaScript with bun
and holds the two equal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

FUNCTION_SOURCE: Final = Path(__file__).with_name("page_paths.js")
# The JavaScript runtime CloudFront documents for new functions.
RUNTIME: Final = "cloudfront-js-2.0"
INDEX: Final = "index.html"


def function_code() -> str:
    """The function's source, as CloudFront is given it."""
    return FUNCTION_SOURCE.read_text(encoding="utf-8")


def object_key(path: str) -> str:
    """The bucket key a viewer's path (no query string) is served from, as the function maps it."""
    directory, _, name = path.rpartition("/")
    if name == "":
        return f"{path}{INDEX}".lstrip("/")
    if "." not in name:
        return f"{directory}/{name}/{INDEX}".lstrip("/")
    return path.lstrip("/")
