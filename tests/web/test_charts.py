"""The server-drawn charts: valid SVG a screen reader can name, bars as long as their
values, a hidden value drawn as no bar and said in words."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from freechoice.api.web.charts import WIDTH, Bar, Point, bar_chart, line_chart

NS = {"s": "http://www.w3.org/2000/svg"}


def _svg(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def test_a_bar_chart_names_itself_and_draws_each_value_to_scale():
    svg = _svg(
        bar_chart(
            [Bar("Find work", 0.5, "50%"), Bar("Food", None, ""), Bar("Housing", 1.0, "100%"), Bar("Debt", 2.0, "")],
            ident="t1",
            title="Needs ranked 4",
            desc="One bar per need",
            maximum=1.0,
            hidden_text="fewer than 5",
        )
    )
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "t1-title t1-desc"
    assert svg.find("s:title", NS).text == "Needs ranked 4" and svg.find("s:desc", NS).get("id") == "t1-desc"
    filled = [float(r.get("width")) for r in svg.findall("s:rect", NS) if r.get("fill") != "none"]
    span = WIDTH - 48
    assert filled == [span * 0.5, span, span]  # the hidden one has no bar; over the maximum is clamped
    texts = [t.text for t in svg.findall("s:text", NS)]
    assert "fewer than 5" in texts and "Food" in texts and "50%" in texts


def test_a_line_breaks_at_a_hidden_month_and_escapes_its_words():
    svg = _svg(
        line_chart(
            [
                Point("2026-01", 4.0, "4.0"),
                Point("2026-02", 3.0, "3.0"),
                Point("2026-03", None, ""),
                Point("<b>04</b>", 5.0, "5.0"),
            ],
            ident="t2",
            title="Satisfaction & more",
            desc="Monthly",
            minimum=1,
            maximum=5,
            hidden_text="under 5",
        )
    )
    assert svg.find("s:title", NS).text == "Satisfaction & more"
    lines = svg.findall("s:polyline", NS)
    assert len(lines) == 1 and len(lines[0].get("points").split()) == 2  # the line stops at the hidden month
    assert len(svg.findall("s:circle", NS)) == 3
    assert "<b>04</b>" in [t.text for t in svg.findall("s:text", NS)]  # shown as text, not markup
