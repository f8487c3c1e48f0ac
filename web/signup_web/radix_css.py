"""Radix Themes with only the colour scales the pages use: less CSS before the first paint.

Reflex's RadixThemesPlugin imports `@radix-ui/themes/styles.css`, which is
built from `tokens.css` (every one of Radix's 30 colour scales, light and
dark, then `tokens/base.css`), `components.css` and `utilities.css`; the
package ships each of these files too. The pages use the indigo accent, the
slate grays, red for problems and orange/green for the strength meter, so
the other scales are left out (88 KB of gzipped CSS becomes about 61 KB). A colour scale
added to the pages must be added to `COLOUR_SCALES` too, or its text would
be drawn without colour (the axe gate's contrast check would catch it).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Final

import reflex as rx

COLOUR_SCALES: Final = ("gray", "slate", "indigo", "red", "orange", "green")
_PACKAGE: Final = "@radix-ui/themes"


def radix_stylesheets() -> tuple[str, ...]:
    """The split stylesheets, in styles.css's own order: colours, base tokens, components,
    utilities."""
    colours = tuple(f"{_PACKAGE}/tokens/colors/{scale}.css" for scale in COLOUR_SCALES)
    return (
        *colours,
        f"{_PACKAGE}/tokens/base.css",
        f"{_PACKAGE}/components.css",
        f"{_PACKAGE}/utilities.css",
    )


@dataclasses.dataclass
class LeanRadixThemes(rx.plugins.RadixThemesPlugin):
    """RadixThemesPlugin importing the split stylesheets instead of the whole bundle."""

    def get_stylesheet_paths(self, **context: Any) -> tuple[str, ...]:
        """The split stylesheets when Radix Themes is enabled."""
        return radix_stylesheets() if self.enabled else ()
