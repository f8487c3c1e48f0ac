"""Paint first, then load the runtime: the prerendered pages' first paint needs only their CSS.

React Router prerenders every page with its markup and text, but its
`<Scripts/>` also puts a `<link rel="modulepreload">` in the head for each
of the page's JavaScript chunks (about 250 KB gzipped) and ends the body
with a module script that imports them. Chrome fetches modulepreloads at
high priority beside the stylesheet, and Lighthouse counts every such
script that arrives before the paint as blocking it: on its throttled
phone the form showed after about 3 s, where the HTML and CSS alone take
about one. The runtime only makes the form live (nothing on the first view
needs it to be drawn), so this build step holds both back until the
browser has painted once:

- each modulepreload link gets `data-after-paint="modulepreload"` instead
  of its `rel`, and each module script `data-after-paint="module"` and an
  inert type: the browser fetches and runs neither;
- a few lines of inline JavaScript (`RELEASE_SCRIPT`) put both back once
  the browser reports its first contentful paint, or at once where nothing
  would paint (a hidden tab, a page with no text before the runtime runs).

It runs as a Reflex plugin's `post_build` hook, the documented place to
post-process the production build (Reflex's own EmbedPlugin uses it): after
`react-router build` and before Reflex writes 404.html and the `.gz` copies,
so `reflex run --env prod` (`make dev`) and `reflex export` (the hosted page)
both serve the result. A page whose scripts no longer look like this fails
the build rather than ship unchanged.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Final

import reflex as rx

HELD: Final = "data-after-paint"
# A type no browser runs: the module script stays in place as text until released.
_INERT_TYPE: Final = "text/x-after-paint"
_MODULEPRELOAD: Final = re.compile(r'<link\b[^>]*?\brel="modulepreload"[^>]*>')
_MODULE_SCRIPT: Final = re.compile(r'<script\b[^>]*?\btype="module"[^>]*>')
_BODY_END: Final = "</body>"

# Released once the browser reports the first contentful paint (Paint Timing:
# its entry arrives after the frame was presented, also on a loaded machine,
# where a frame's main-thread work can end long before it is on screen); where
# Paint Timing is missing, after the next frame. Nothing is held where nothing
# would paint: a hidden tab, or a page with no text of its own (React Router's
# SPA fallback, which Reflex serves as 404.html, draws only once the runtime
# runs). However the paint goes, the runtime starts at most 3 s after `load`.
# Each held script is made anew with its attributes (a script element that was
# not run as a script never runs, whatever its type).
RELEASE_SCRIPT: Final = """(() => {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    for (const link of document.querySelectorAll("link[HELD]")) {
      link.rel = link.getAttribute("HELD");
      link.removeAttribute("HELD");
    }
    for (const held of document.querySelectorAll("script[HELD]")) {
      const script = document.createElement("script");
      for (const { name, value } of held.attributes) script.setAttribute(name, value);
      script.removeAttribute("HELD");
      script.type = held.getAttribute("HELD");
      script.text = held.text;
      held.replaceWith(script);
    }
  };
  if (document.visibilityState === "hidden" || !document.body.innerText.trim()) return release();
  document.addEventListener("visibilitychange", release, { once: true });
  addEventListener("load", () => setTimeout(release, 3000), { once: true });
  if (self.PerformanceObserver?.supportedEntryTypes?.includes("paint")) {
    new PerformanceObserver((entries, observer) => {
      if (!entries.getEntriesByName("first-contentful-paint").length) return;
      observer.disconnect();
      setTimeout(release);
    }).observe({ type: "paint", buffered: true });
  } else {
    requestAnimationFrame(() => setTimeout(release));
  }
})();""".replace("HELD", HELD)
_RELEASE_TAG: Final = f"<script>{RELEASE_SCRIPT}</script>"


class FirstPaintError(RuntimeError):
    """A built page's scripts are not where this step expects them (a React Router change)."""


def hold_scripts(html: str) -> str:
    """The page with its modulepreloads and module scripts held until after the first paint."""
    if HELD in html:
        return html  # held already: the step may safely run twice over one build
    head, body_end, tail = html.rpartition(_BODY_END)
    if not body_end or not _MODULE_SCRIPT.search(head):
        raise FirstPaintError("no module script before </body>: React Router's markup changed")
    head = _MODULEPRELOAD.sub(_hold_preload, head)
    head = _MODULE_SCRIPT.sub(_hold_module, head)
    return f"{head}{_RELEASE_TAG}{body_end}{tail}"


def _hold_preload(link: re.Match[str]) -> str:
    return link.group(0).replace('rel="modulepreload"', f'{HELD}="modulepreload"', 1)


def _hold_module(script: re.Match[str]) -> str:
    return script.group(0).replace('type="module"', f'type="{_INERT_TYPE}" {HELD}="module"', 1)


def hold_scripts_in(static_dir: Path) -> list[Path]:
    """Rewrite every prerendered page under `static_dir`; the pages rewritten."""
    pages = sorted(static_dir.rglob("*.html"))
    for page in pages:
        page.write_text(hold_scripts(page.read_text("utf-8")), "utf-8")
    return pages


class PaintBeforeScripts(rx.plugins.Plugin):
    """Reflex plugin: hold each built page's scripts until after its first paint."""

    def post_build(self, **context: Any) -> None:
        """Rewrite the pages of the production build (`reflex run --env prod`, `reflex export`)."""
        hold_scripts_in(Path(context["static_dir"]))
