"""first_paint: a built page's scripts are held until after its first paint; nothing else moves."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from signup_web.first_paint import (
    HELD,
    RELEASE_SCRIPT,
    FirstPaintError,
    PaintBeforeScripts,
    hold_scripts,
)

# The shape of React Router 8's prerendered page (Reflex 0.10's export), trimmed.
PAGE = (
    '<!DOCTYPE html><html lang="en"><head><meta charSet="utf-8"/>'
    '<link as="style" href="/assets/__reflex_global_styles-a.css" rel="preload"/>'
    "<title>Create your account</title>"
    '<link rel="modulepreload" href="/assets/manifest-1.js"/>'
    '<link rel="modulepreload" href="/assets/entry.client-2.js"/>'
    '<link href="/assets/__reflex_global_styles-a.css" rel="stylesheet" type="text/css"/>'
    '</head><body><main id="main"><h1>Create your account</h1></main>'
    "<script>window.__reactRouterContext = {};</script>"
    '<script type="module" async="">import "/assets/manifest-1.js";\n'
    'import("/assets/entry.client-2.js");</script>'
    "</body></html>"
)


def test_preloads_and_module_script_are_held() -> None:
    held = hold_scripts(PAGE)
    assert 'rel="modulepreload"' not in held
    assert 'type="module"' not in held
    assert f'<link {HELD}="modulepreload" href="/assets/manifest-1.js"/>' in held
    assert f'{HELD}="module" async="">import "/assets/manifest-1.js";' in held


def test_markup_stylesheet_and_classic_scripts_stay() -> None:
    held = hold_scripts(PAGE)
    assert held.startswith(PAGE.partition('<link rel="modulepreload"')[0])
    for kept in (
        '<link href="/assets/__reflex_global_styles-a.css" rel="stylesheet" type="text/css"/>',
        '<main id="main"><h1>Create your account</h1></main>',
        "<script>window.__reactRouterContext = {};</script>",
    ):
        assert kept in held


def test_release_script_ends_the_body_once() -> None:
    held = hold_scripts(PAGE)
    assert held.endswith(f"<script>{RELEASE_SCRIPT}</script></body></html>")
    assert hold_scripts(held) == held


def test_page_without_a_module_script_fails_the_build() -> None:
    with pytest.raises(FirstPaintError):
        hold_scripts(PAGE.replace('type="module" ', ""))


def test_plugin_rewrites_every_page_of_the_build(tmp_path: Path) -> None:
    pages = [tmp_path / "index.html", tmp_path / "verify" / "index.html", tmp_path / "verify.html"]
    for page in pages:
        page.parent.mkdir(exist_ok=True)
        page.write_text(PAGE, "utf-8")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "entry.client-2.js").write_text("export {};", "utf-8")

    PaintBeforeScripts().post_build(static_dir=tmp_path)

    assert all(page.read_text("utf-8") == hold_scripts(PAGE) for page in pages)
    assert (tmp_path / "assets" / "entry.client-2.js").read_text("utf-8") == "export {};"


def test_rxconfig_uses_the_plugin() -> None:
    path = Path(__file__).resolve().parents[3] / "web" / "rxconfig.py"
    spec = importlib.util.spec_from_file_location("rxconfig_under_test", path)
    assert spec is not None and spec.loader is not None
    rxconfig = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rxconfig)
    assert any(isinstance(plugin, PaintBeforeScripts) for plugin in rxconfig.config.plugins)
