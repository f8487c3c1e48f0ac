"""radix_css: the split Radix stylesheets carry every colour scale the pages name."""

from __future__ import annotations

import re
from pathlib import Path

from signup_web import radix_css
from signup_web.radix_css import COLOUR_SCALES, radix_stylesheets

# Radix Themes 3's colour scales (tokens/colors/*.css).
RADIX_SCALES = frozenset(
    (
        "gray",
        "mauve",
        "slate",
        "sage",
        "olive",
        "sand",
        "amber",
        "blue",
        "bronze",
        "brown",
        "crimson",
        "cyan",
        "gold",
        "grass",
        "green",
        "indigo",
        "iris",
        "jade",
        "lime",
        "mint",
        "orange",
        "pink",
        "plum",
        "purple",
        "red",
        "ruby",
        "sky",
        "teal",
        "tomato",
        "violet",
        "yellow",
    )
)
WEB = Path(radix_css.__file__).resolve().parents[1]


def test_every_scale_the_pages_name_is_imported() -> None:
    sources = [*WEB.joinpath("signup_web").glob("*.py"), WEB / "rxconfig.py"]
    named = {
        word
        for source in sources
        for word in re.findall(r'"([a-z]+)"', source.read_text("utf-8"))
        if word in RADIX_SCALES
    }
    assert named, "the pages name no colour scale: the scan no longer sees them"
    assert named <= set(COLOUR_SCALES)


def test_stylesheets_keep_styles_css_order() -> None:
    sheets = radix_stylesheets()
    colours = sheets[: len(COLOUR_SCALES)]
    assert all(sheet.startswith("@radix-ui/themes/tokens/colors/") for sheet in colours)
    assert sheets[len(COLOUR_SCALES) :] == (
        "@radix-ui/themes/tokens/base.css",
        "@radix-ui/themes/components.css",
        "@radix-ui/themes/utilities.css",
    )
