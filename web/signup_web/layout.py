"""The frame every page shares: the product's name in a header, the view in <main>."""

from __future__ import annotations

import reflex as rx

from signup_web.services import SETTINGS


def page_shell(content: rx.Component) -> rx.Component:
    """Header and main landmarks around a narrow card that takes the full width on a phone."""
    return rx.fragment(
        rx.el.header(
            rx.link(
                rx.image(src="/favicon.svg", alt="", width="24px", height="24px"),
                rx.text(SETTINGS.product_name, as_="span", weight="bold", size="4"),
                href="/",
                class_name="product-name",
                underline="none",
                high_contrast=True,
            ),
            class_name="site-header",
        ),
        rx.el.main(
            rx.card(content, width="100%", max_width="28rem", size="3"),
            id="main",
            class_name="site-main",
        ),
    )
