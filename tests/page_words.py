"""What is left in English on a page: the visible text of a page (and the attributes
read out), leaving out what is marked as another language, checked for Latin words."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import select

from freechoice.catalog.db.tables import OrganizationRow, PersonRow, ServiceRow
from freechoice.engine.text import LANGUAGES

__all__ = ["english_left", "written_by_people"]

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


def written_by_people(db: Any) -> set[str]:
    """Texts a page may show as they were written: people's and organisations' names,
    what partners named their services and places, the case references and the area
    the page tests type, and the product's name."""
    with db.session() as s:
        rows = [*s.execute(select(PersonRow.username, PersonRow.display_name))]
        rows += s.execute(select(OrganizationRow.id, OrganizationRow.name)).all()
        records = [*s.scalars(select(ServiceRow.data)), *s.scalars(select(OrganizationRow.data))]
    names = {text for row in rows for text in row if text}.union(*(_names_in(r) for r in records))
    typed = {*(f"c-lang-{code}" for code in LANGUAGES), "Jane Doe", "Songkhla", "freechoice", "UTC"}
    return typed | names
