"""The browser the page tests rely on renders the clients' scripts and prints them to PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_support import pdf_fonts, pdf_text

pytestmark = pytest.mark.browser

SAMPLES = {
    "my": "ကျန်းမာရေး",  # Burmese (Unicode): health
    "th": "สุขภาพ",
    "km": "សុខភាព",
    "lo": "ສຸຂະພາບ",
}


def test_chromium_prints_every_script_to_pdf(page: Any, artefacts: Path) -> None:
    html = "".join(f'<p lang="{lang}">{word}</p>' for lang, word in SAMPLES.items())
    page.set_content(f"<!doctype html><meta charset=utf-8><body style='font-family: sans-serif'>{html}</body>")
    pdf = artefacts / "browser-scripts.pdf"
    page.pdf(path=str(pdf), format="A4")
    text = pdf_text(pdf)
    for lang, word in SAMPLES.items():
        # pdftotext gives the characters back only when a real font drew them
        assert any(ch in text for ch in word if ch.isalpha()), f"{lang} text missing from the PDF: {text!r}"
    assert "\ufffd" not in text
    fonts = pdf_fonts(pdf)
    for font in ("NotoSansMyanmar", "NotoSansThai", "NotoSansKhmer"):
        assert any(f.startswith(font) for f in fonts), f"{font} not used: {fonts}"
