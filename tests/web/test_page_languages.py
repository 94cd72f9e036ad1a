"""Every page in the user's and the client's language (issue 11): over HTTP, in each of
the five languages, no English is left on a page except what is marked as English (a
fallback, ``lang="en"``) and what people typed or partners wrote (names, addresses)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import select
from web_support import PASSWORD, csrf_of, sign_in

from freechoice.catalog.db.tables import OrganizationRow, PersonRow, ServiceRow
from freechoice.engine.text import LANGUAGES

TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_SHOWN_ATTRS = ("aria-label", "placeholder", "alt", "title")
#: a word of English (or any Latin-script word long enough to be one)
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
_EMAIL_OR_URL = re.compile(r"\S+@\S+|https?://\S+")


class _Visible(HTMLParser):
    """The text a person sees or hears (text and the attributes read out), leaving out
    whatever is marked as another language than ``lang`` (a fallback in English, the
    language switch's own names) and scripts."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[str] = []

    def _hidden(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        skip = tag in ("script", "style") or a.get("lang") not in (None, self.lang)
        if not (skip or self._hidden()):
            self.texts += [str(a[k]) for k in _SHOWN_ATTRS if a.get(k)]
        if tag not in _VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if data.strip() and not self._hidden():
            self.texts.append(data.strip())


def english_left(html: str, lang: str, allowed: set[str]) -> list[str]:
    """The texts of the page still holding a Latin-script word once ``allowed`` texts
    (typed by people, written by partners) and e-mail or web addresses are taken out."""
    parser = _Visible(lang)
    parser.feed(html)
    left = []
    for text in parser.texts:
        rest = _EMAIL_OR_URL.sub(" ", text)
        for value in sorted(allowed, key=len, reverse=True):
            rest = rest.replace(value, " ")
        if _LATIN_WORD.search(rest):
            left.append(text)
    return left


#: what a partner's catalog record names: services, organisations, places
_PARTNER_NAME_KEYS = {"name", "alternate_name", "city", "region", "state_province", "address_1", "address_2"}


def _names_in(record: Any) -> set[str]:
    """The names and places a partner wrote in a catalog record."""
    if isinstance(record, dict):
        found = {v for k, v in record.items() if k in _PARTNER_NAME_KEYS and isinstance(v, str)}
        return found.union(*(_names_in(v) for v in record.values()))
    if isinstance(record, list):
        return set().union(*(_names_in(v) for v in record))
    return set()


def _form(c, path: str, data: dict[str, Any], **kw: Any):
    page = c.get(path)
    return c.post(path, data={**data, "csrf_token": csrf_of(page.text)}, **kw)


def _pages(site, lang: str) -> tuple[dict[str, str], set[str]]:
    """Every page of the workspace in ``lang`` (the user's and the client's), with the
    texts on them that people typed or partners wrote."""
    ref = f"c-lang-{lang}"
    c = site.browser()
    c.cookies.set("fc_lang", lang)
    pages = {
        "login": c.get("/web/login").text,
        "login refused": _form(c, "/web/login", {"username": "x", "password": "y"}).text,
    }
    sign_in(c, "cw-a", PASSWORD)
    intake = {
        "client_ref": ref,
        "language_1": lang,
        "need_housing": "4",
        "need_compensation": "4",
        "need_food": "3",
        "location_country": "TH",
        "location_area": "Songkhla",
        "plan": "stay",
        "documents": "confiscated",
        "no_contact_with": ["immigration"],
        "work_limits": ["no_night_work"],
        "legal_interest": ["wage_claim"],
    }
    pages["home"] = c.get("/web/").text
    pages["intake"] = c.get("/web/intake").text
    pages["intake with problems"] = _form(
        c, "/web/intake", {**intake, "client_ref": "Jane Doe", "age": "900", "action": "propose"}
    ).text
    made = _form(c, "/web/intake", {**intake, "action": "propose"}, follow_redirects=False)
    assert made.status_code == 303, made.text
    list_id = made.headers["location"].split("?")[0].rsplit("/", 1)[1]
    pages["options"] = c.get(f"/web/options/{list_id}?lang={lang}&show=all").text
    choose_path = f"/web/options/{list_id}/choose?lang={lang}"
    choose = c.get(choose_path).text
    pages["choose"] = choose
    service = next(o for o in re.findall(r'name="option" value="([^"]+)"', choose) if o != "cash")
    base = {"csrf_token": csrf_of(choose), "decision": "chosen", "option": ["cash", service], "lang": lang}
    pages["choose: nothing ticked"] = c.post(choose_path, data={**base, "option": []}).text
    pages["choose: what is shared"] = c.post(choose_path, data=base).text
    confirm = {**base, "step": "confirm", f"consent:{service}": ["languages", "plan", "documents", "work_limits"]}
    pages["choose: over the money"] = c.post(choose_path, data={**confirm, "plan:housing": "1000000"}).text
    done = c.post(choose_path, data={**confirm, "plan:housing": "5000"}, follow_redirects=False)
    assert done.status_code == 303, done.text
    pages["chosen"] = c.get(done.headers["location"]).text
    pages["not found"] = c.get("/web/options/ol-nothing-here").text
    admin = site.browser("admin")
    admin.cookies.set("fc_lang", lang)
    pages["people"] = admin.get("/web/people").text
    with site.app.state.freechoice.db.session() as s:
        rows = s.execute(select(PersonRow.username, PersonRow.display_name)).all()
        rows += s.execute(select(OrganizationRow.id, OrganizationRow.name)).all()
        records = [*s.scalars(select(ServiceRow.data)), *s.scalars(select(OrganizationRow.data))]
    names = {text for row in rows for text in row if text}.union(*(_names_in(r) for r in records))
    # what people typed (case references of this and the other languages' runs), the product's name
    typed = {*(f"c-lang-{code}" for code in LANGUAGES), "Jane Doe", "Songkhla", "freechoice", "UTC"}
    return pages, typed | names


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_english_is_left_on_any_page(site, lang):
    pages, allowed = _pages(site, lang)
    for name, html in pages.items():
        assert f'<html lang="{lang}">' in html, name
        left = english_left(html, lang, allowed)
        assert not left, f"{lang}, {name}: English left on the page: {left[:5]}"


def test_the_english_pages_are_english_and_the_check_would_see_english(site):
    pages, allowed = _pages(site, "en")
    assert all('<html lang="en">' in html for html in pages.values())
    # the same check on an English page finds English: it can fail
    as_if_burmese = pages["intake"].replace('<html lang="en">', '<html lang="my">')
    assert "Intake with the client" in english_left(as_if_burmese, "my", allowed)
    # ...but not what is marked as English (a fallback) nor what partners wrote
    marked = '<p>ငွေ <span lang="en">Free meals</span> Andaman Wage Justice Centre</p>'
    assert english_left(marked, "my", allowed) == []
