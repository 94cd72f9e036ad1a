"""The handout as a client gets it: opened in headless Chromium from the HTTP service,
printed to PDF in each language, in the right script and font, with no English except
what is marked as such, and without a single request beyond the page itself."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser_support import pdf_fonts, pdf_text
from fastapi.testclient import TestClient

from freechoice.api import Settings, create_app
from freechoice.api.auth import create_key
from freechoice.catalog import Organization
from freechoice.catalog.db import save_organization

pytestmark = pytest.mark.browser

APP = "http://freechoice.test"
ASSESSMENT = {
    "client_ref": "c-handout-browser",
    "needs": {"housing": 4, "food": 3, "compensation": 3},
    "situation": {"location": {"country": "TH", "area": "Samut Sakhon"}, "languages": ["my"], "age": 30},
}
#: each language: a character range of its script, and the Noto font that must draw it
SCRIPTS = {
    "en": (r"[A-Za-z]", "NotoSans-"),
    "my": (r"[\u1000-\u109f]", "NotoSansMyanmar"),
    "th": (r"[\u0e00-\u0e7f]", "NotoSansThai"),
    "km": (r"[\u1780-\u17ff]", "NotoSansKhmer"),
    "lo": (r"[\u0e80-\u0eff]", "NotoSansLao"),
}
# Latin words (with a lowercase letter) in the page that are neither marked English (a fallback, with its note) nor
# shown as written (names, addresses, phone numbers, e-mail and web addresses)
UNMARKED_LATIN = """() => {
  const found = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const text = walk.currentNode.textContent;
    if (!/[A-Za-z]*[a-z][A-Za-z]*/.test(text)) continue;  // a Latin word (an acronym such as "AI" is not English)
    const el = walk.currentNode.parentElement;
    if (el.closest('[translate="no"]') || el.closest('.fallback')) continue;
    let marked = false;
    for (let en = el.closest('[lang="en"]'); en && !marked; en = en.parentElement && en.parentElement.closest('[lang="en"]')) {
      const note = en.nextElementSibling;
      marked = Boolean(note && note.classList.contains('fallback'));
    }
    if (!marked) found.push(text.trim());
  }
  return found;
}"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str, str]]:
    """The HTTP service on a SQLite file, a caseworker's key and one option list."""
    db = tmp_path_factory.mktemp("handout") / "fc.db"
    app = create_app(Settings(database_url=f"sqlite:///{db}", load_sample=True, catalog_check_seconds=0))
    state = app.state.freechoice
    with state.db.session() as s, s.begin():
        save_organization(s, Organization(id="org-cw", name="Caseworkers (fictional)"), "test")
        key = create_key(s, "org-cw", "caseworker", created_by="test")[1]
    with TestClient(app) as client:
        auth = {"Authorization": f"Bearer {key}"}
        made = client.post("/option-lists", json=ASSESSMENT, headers=auth)
        assert made.status_code == 201, made.text
        yield client, key, made.json()["id"]


def _open(page: Any, served: tuple[TestClient, str, str], query: str) -> list[str]:
    """Open the handout in ``page`` through the app; returns every URL the page asked for."""
    client, key, list_id = served
    asked: list[str] = []

    def handle(route: Any) -> None:
        url = route.request.url
        asked.append(url)
        if not url.startswith(APP + "/"):
            route.abort()
            return
        parts = urlsplit(url)
        r = client.get(
            parts.path + (f"?{parts.query}" if parts.query else ""), headers={"Authorization": f"Bearer {key}"}
        )
        route.fulfill(status=r.status_code, headers=dict(r.headers), body=r.content)

    page.route("**/*", handle)
    page.goto(f"{APP}/option-lists/{list_id}/handout?{query}", wait_until="networkidle")
    return asked


@pytest.mark.parametrize("lang", list(SCRIPTS))
def test_the_handout_prints_in_each_language_in_its_own_script_and_font(
    lang: str, page: Any, served: tuple[TestClient, str, str], artefacts: Path
) -> None:
    page.set_viewport_size({"width": 820, "height": 1160})
    _open(page, served, f"lang={lang}")
    assert page.evaluate("document.documentElement.lang") == lang
    page.screenshot(path=str(artefacts / f"handout-{lang}.png"))
    pdf = artefacts / f"handout-{lang}.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    text = pdf_text(pdf)
    script, font = SCRIPTS[lang]
    assert len(re.findall(script, text)) > 50, f"too little {lang} script in the PDF"
    assert "\ufffd" not in text  # no character came out as a replacement box
    fonts = pdf_fonts(pdf)
    assert any(f.startswith(font) for f in fonts), f"{font} not embedded: {fonts}"
    if lang != "en":
        assert page.evaluate(UNMARKED_LATIN) == []
        # what is in English says so, in the page
        marked = page.locator("[lang=en] + .fallback").count()
        assert marked == page.locator(".fallback").count()


def test_the_handout_asks_for_nothing_beyond_itself(page: Any, served: tuple[TestClient, str, str]) -> None:
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    asked = _open(page, served, "lang=km&caseworker_lang=en")
    assert len(asked) == 1 and "/handout?" in asked[0]
    assert refused == []
    assert page.locator('div[lang="en"].cw').count() > 3
