"""Small charts drawn as SVG on the server: no script, no external asset, readable by a
screen reader (``role="img"`` named by the chart's ``<title>`` and ``<desc>``), and
sized by a ``viewBox`` so they shrink to a 360 px phone. Every chart stands beside a
table of the same numbers; a hidden value (a group under five) is drawn as no bar and
said in words.

Colours are presentation attributes, not styles (the pages' Content-Security-Policy
allows no inline style), chosen for contrast against white (WCAG AA for the text).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = ["Bar", "Point", "bar_chart", "line_chart"]

INK = "#1a1a1a"
BAR = "#1d4f91"
MUTED = "#595959"
GRID = "#d0d0d0"
WIDTH = 320


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value (None: hidden) and the text shown at its end."""

    label: str
    value: float | None
    text: str


@dataclass(frozen=True)
class Point:
    """One point of a line: its label on the x axis, its value (None: hidden)."""

    label: str
    value: float | None
    text: str


def _open(ident: str, title: str, desc: str, height: int) -> tuple[str, list[str]]:
    tid, did = f"{ident}-title", f"{ident}-desc"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{tid} {did}" font-size="11" fill="{INK}">'
        f'<title id="{tid}">{escape(title)}</title><desc id="{did}">{escape(desc)}</desc>'
    )
    return head, []


def bar_chart(bars: Sequence[Bar], *, ident: str, title: str, desc: str, maximum: float, hidden_text: str) -> Markup:
    """Horizontal bars, each label above its bar (long labels in any script fit a phone).

    ``ident`` makes the ids of its title and description (unique on the page);
    ``maximum`` is the value of a full-width bar; a hidden bar shows ``hidden_text``.
    """
    row, bar_h, label_h, right = 34, 12, 14, 48
    height = max(row * len(bars), row) + 4
    head, parts = _open(ident, title, desc, height)
    span = WIDTH - right
    for i, b in enumerate(bars):
        y = i * row + 2
        parts.append(f'<text x="0" y="{y + 10}">{escape(b.label)}</text>')
        parts.append(f'<rect x="0" y="{y + label_h}" width="{span}" height="{bar_h}" fill="none" stroke="{GRID}"/>')
        if b.value is None:
            parts.append(f'<text x="4" y="{y + label_h + 10}" fill="{MUTED}">{escape(hidden_text)}</text>')
            continue
        w = 0.0 if maximum <= 0 else max(0.0, min(1.0, b.value / maximum)) * span
        parts.append(f'<rect x="0" y="{y + label_h}" width="{w:.1f}" height="{bar_h}" fill="{BAR}"/>')
        parts.append(f'<text x="{span + 4}" y="{y + label_h + 10}">{escape(b.text)}</text>')
    return Markup(head + "".join(parts) + "</svg>")


def line_chart(
    points: Sequence[Point],
    *,
    ident: str,
    title: str,
    desc: str,
    minimum: float,
    maximum: float,
    hidden_text: str,
) -> Markup:
    """A line over time (x: the points in order, y: ``minimum`` to ``maximum``, gridlines
    at each whole number). A hidden point breaks the line and is marked ``hidden_text``
    under its label."""
    left, right, top, plot_h, foot = 22, 8, 8, 140, 40
    height = top + plot_h + foot
    head, parts = _open(ident, title, desc, height)
    span = WIDTH - left - right
    steps = max(len(points) - 1, 1)

    def y_of(v: float) -> float:
        return top + plot_h - (v - minimum) / (maximum - minimum) * plot_h

    for v in range(int(minimum), int(maximum) + 1):
        y = y_of(v)
        parts.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{v}</text>')
    segment: list[str] = []
    for i, p in enumerate(points):
        x = left + (span * i / steps if len(points) > 1 else span / 2)
        parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{escape(p.label)}</text>')
        if p.value is None:
            parts.append(
                f'<text x="{x:.1f}" y="{top + plot_h + 30}" text-anchor="middle" fill="{MUTED}">'
                f"{escape(hidden_text)}</text>"
            )
            if len(segment) > 1:
                parts.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="{BAR}" stroke-width="2"/>')
            segment = []
            continue
        y = y_of(p.value)
        segment.append(f"{x:.1f},{y:.1f}")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{BAR}"/>')
        parts.append(f'<text x="{x:.1f}" y="{y - 7:.1f}" text-anchor="middle">{escape(p.text)}</text>')
    if len(segment) > 1:
        parts.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="{BAR}" stroke-width="2"/>')
    return Markup(head + "".join(parts) + "</svg>")
