"""axe-core in each state a browser test reaches: 375 and 1280 px, light and dark.

axe-core is pinned by tests/browser/axe/package-lock.json and installed by make
under .tools/axe (`make test` depends on it). With SCREENSHOT_DIR set (`make
screenshots`), each checked state is also saved in every variant axe saw:
`<name>.png` at 375 px, light (README embeds those), `<name>-dark.png`,
`<name>-1280.png` and `<name>-1280-dark.png`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Final

import pytest
from playwright.sync_api import Page

from infra.local.stage import REPO_ROOT
from tests.support.browser import PHONE

AXE_SCRIPT: Final = REPO_ROOT / ".tools/axe/node_modules/axe-core/axe.min.js"
DESKTOP: Final = {"width": 1280, "height": 800}
VIEWPORTS: Final = {"375": PHONE, "1280": DESKTOP}
SCHEMES: Final = ("light", "dark")
# Every rule axe runs by default: WCAG 2.0-2.2 A and AA, and its best practices
# (landmark-one-main and region among them, which the first audit failed).
# A contrast axe could not compute ("incomplete": a background it cannot see,
# such as one painted in a pseudo-element) fails the gate too: it is a text
# whose contrast nobody checked. The card paints its own background
# (web/assets/signup.css) so that axe can compute every text in it.
_RUN_AXE: Final = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations", "incomplete"]});
  const described = v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(" ")
      + ((n.any[0] && n.any[0].data && n.any[0].data.messageKey)
        ? ` (${n.any[0].data.messageKey})` : "")),
  });
  return {
    passes: result.passes.length,
    violations: result.violations.map(described),
    unchecked_contrast: result.incomplete.filter(v => v.id === "color-contrast").map(described),
  };
}"""
_THEMED: Final = (
    "scheme => document.documentElement.classList.contains(scheme)"
    " && document.querySelector('.radix-themes[data-is-root-theme]').classList.contains(scheme)"
)
# One line per checked variant, for the record (test-results/ is not committed).
AXE_LOG: Final = REPO_ROOT / "test-results" / "axe.jsonl"


def screenshot_dir() -> Path | None:
    """Where `make screenshots` wants the views, if it does."""
    folder = os.environ.get("SCREENSHOT_DIR", "").strip()
    return Path(folder) if folder else None


def axe_violations(page: Page) -> dict[str, Any]:
    """Inject axe-core once per document and run it over the whole page."""
    if not AXE_SCRIPT.is_file():
        pytest.fail(f"{AXE_SCRIPT} is missing: `make test` installs axe-core")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=AXE_SCRIPT)
    result: dict[str, Any] = page.evaluate(_RUN_AXE)
    return result


def check_view(page: Page, name: str) -> None:
    """Fail on any axe violation, or a contrast axe could not compute, in all four variants.

    Focus and state are left alone (only the viewport and the emulated colour
    scheme change), and the page is back at 375 px, light, afterwards.
    """
    found: dict[str, list[dict[str, Any]]] = {}
    try:
        for scheme in SCHEMES:
            page.emulate_media(color_scheme=scheme)
            page.wait_for_function(_THEMED, arg=scheme)
            for width, viewport in VIEWPORTS.items():
                page.set_viewport_size(viewport)
                result = axe_violations(page)
                _log(name, f"{width}/{scheme}", result)
                problems = result["violations"] + result["unchecked_contrast"]
                if problems:
                    found[f"{width} px {scheme}"] = problems
                _screenshot(page, name + _variant_suffix(width, scheme))
    finally:
        page.emulate_media(color_scheme="light")
        page.set_viewport_size(PHONE)
    assert not found, f"axe violations in {name}: {json.dumps(found, indent=1)}"


def _variant_suffix(width: str, scheme: str) -> str:
    """The file name's suffix: none at 375 px light (the README's), else "-dark", "-1280"..."""
    return ("" if width == "375" else f"-{width}") + ("" if scheme == "light" else f"-{scheme}")


def _screenshot(page: Page, name: str) -> None:
    folder = screenshot_dir()
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=folder / f"{name}.png", full_page=True, animations="disabled")


def _log(name: str, variant: str, result: dict[str, Any]) -> None:
    AXE_LOG.parent.mkdir(exist_ok=True)
    record = {
        "view": name,
        "variant": variant,
        "passes": result["passes"],
        "violations": [v["id"] for v in result["violations"]],
        "unchecked_contrast": sum(len(v["nodes"]) for v in result["unchecked_contrast"]),
    }
    with AXE_LOG.open("a", encoding="utf-8") as log:
        log.write(json.dumps(record) + "\n")
