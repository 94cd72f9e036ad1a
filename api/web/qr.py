"""The client's feedback link as a QR code: inline SVG drawn by segno, no image file,
no external service (the link carries a single-use code and must not leave the app)."""

from __future__ import annotations

import segno
from markupsafe import Markup, escape

__all__ = ["qr_svg"]


def qr_svg(data: str, label: str) -> Markup:
    """``data`` as a QR code (error correction M, quiet zone kept), named ``label`` for
    a screen reader; black on white at any zoom."""
    svg = segno.make(data, error="m").svg_inline(scale=5, border=4, svgclass="qr", light="#fff", omitsize=False)
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))
