"""Putting a text the engine wrote in English into another language.

An option list stores its texts in English, filled in (``"Needs a valid passport."``),
so that a list made once can be read later in any language. :class:`Localizer` finds
the message each text was made from (every message of the catalog is a template; its
``{fields}`` become the parts to find), translates the parts (terms, country and
language names, dates, nested messages), and fills the translated template with them.
A text it cannot fully translate comes back in English with ``fallback=True``, never
half-translated, so the view can mark it as English.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import NamedTuple

import pycountry
from babel.numbers import get_currency_name

from .catalogs import DEFAULT_LANGUAGE, Translator, read_catalog
from .formatting import country_display_name, format_date, format_list_of, language_display_name
from .terms import TERMS

__all__ = ["Localized", "Localizer", "placeholders"]

_FIELD = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_.]*)(?:[:!][^{}]*)?\}")
#: fields whose value is a name (of a service, an organisation, a place): kept as written
_NAMES = frozenset({"service", "provider", "name", "place", "area", "match.movement_note"})
_NUMBER = re.compile(r"^[\d][\d,.]*$")
_CODE = re.compile(r"\b[A-Z]{2,3}\b")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def placeholders(template: str) -> list[str]:
    """The field names of a message template, in order (``"{a} of {b:,}"`` -> ``["a", "b"]``)."""
    return _FIELD.findall(template)


class Localized(NamedTuple):
    """A text as shown: ``fallback`` when it is not in the asked language but in ``language``."""

    text: str
    fallback: bool
    language: str = DEFAULT_LANGUAGE


class _Template(NamedTuple):
    msgid: str
    parts: tuple[tuple[bool, str], ...]  # (is a field, literal text or field name)
    fields: tuple[str, ...]


def _compile(msgid: str) -> _Template:
    parts: list[tuple[bool, str]] = []
    pos = 0
    for m in _FIELD.finditer(msgid):
        if m.start() > pos:
            parts.append((False, msgid[pos : m.start()]))
        parts.append((True, m.group(1)))
        pos = m.end()
    if pos < len(msgid):
        parts.append((False, msgid[pos:]))
    return _Template(msgid, tuple(parts), tuple(name for is_field, name in parts if is_field))


_MAX_SPLITS = 64


def _splits(text: str, parts: tuple[tuple[bool, str], ...]) -> list[list[str]]:
    """Every way ``text`` fills the fields of ``parts`` (at most ``_MAX_SPLITS``)."""
    found: list[list[str]] = []

    def walk(i: int, k: int, values: list[str]) -> None:
        if len(found) >= _MAX_SPLITS:
            return
        if k == len(parts):
            if i == len(text):
                found.append(values)
            return
        is_field, value = parts[k]
        if not is_field:
            if text.startswith(value, i):
                walk(i + len(value), k + 1, values)
            return
        if k + 1 == len(parts):
            walk(len(text), k + 1, [*values, text[i:]])
            return
        nxt_field, nxt = parts[k + 1]
        ends = range(i, len(text) + 1) if nxt_field else _occurrences(text, nxt, i)
        for end in ends:
            walk(end, k + 1, [*values, text[i:end]])

    walk(0, 0, [])
    return found


def _occurrences(text: str, literal: str, start: int) -> list[int]:
    out = []
    pos = text.find(literal, start)
    while pos != -1:
        out.append(pos)
        pos = text.find(literal, pos + 1)
    return out


def _balanced(value: str) -> bool:
    depth = 0
    for ch in value:
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            return False
    return depth == 0


@lru_cache(maxsize=1)
def _templates() -> tuple[frozenset[str], tuple[_Template, ...]]:
    """(messages without fields, templates with fields: most literal text first)."""
    ids = [str(m.id) for m in read_catalog(DEFAULT_LANGUAGE) if m.id and isinstance(m.id, str)]
    plain = frozenset(i for i in ids if not _FIELD.search(i))
    templated = [_compile(i) for i in ids if _FIELD.search(i)]
    templated.sort(key=lambda t: -sum(len(v) for is_field, v in t.parts if not is_field))
    return plain, tuple(templated)


@lru_cache(maxsize=1)
def _english_names() -> tuple[Mapping[str, str], Mapping[str, str]]:
    """English country and language names (as the engine writes them) -> codes."""
    countries: dict[str, str] = {}
    for c in pycountry.countries:
        for name in (c.name, getattr(c, "common_name", None)):
            if name:
                countries[name] = c.alpha_2
    languages: dict[str, str] = {}
    for lang in pycountry.languages:
        code = getattr(lang, "alpha_2", None) or lang.alpha_3
        for name in (lang.name, getattr(lang, "common_name", None)):
            if name:
                languages.setdefault(str(name).removesuffix(" (macrolanguage)"), code)
    return countries, languages


@lru_cache(maxsize=256)
def _english_country(code: str) -> str:
    """The common English name of a country code, as the engine writes it ("MM" -> "Myanmar")."""
    found = pycountry.countries.get(alpha_2=code)
    return str(getattr(found, "common_name", None) or found.name) if found is not None else ""


def _fill_by_name(template: str, values: Mapping[str, str]) -> str:
    return _FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), template)


class Localizer:
    """Texts of an option list in ``translator``'s language.

    ``extra`` maps texts of a custom rule pack to their translation in this language
    (the pack's own ``translations``); ``written_in`` maps a custom pack's texts to the
    language the pack is written in. A pack text with no translation here stays in the
    pack's own language, marked as a fallback in that language.
    """

    def __init__(
        self,
        translator: Translator,
        extra: Mapping[str, str] | None = None,
        written_in: Mapping[str, str] | None = None,
    ) -> None:
        self.t = translator
        self.lang = translator.language
        self.extra = dict(extra or {})
        self.written_in = dict(written_in or {})
        self._cache: dict[str, Localized] = {}

    def __call__(self, text: str) -> Localized:
        own = self.written_in.get(text)
        if own is not None and own != DEFAULT_LANGUAGE:
            if own == self.lang:
                return Localized(text, False, own)
            if text in self.extra:
                return Localized(self.extra[text], False, self.lang)
            return Localized(text, True, own)
        if not text:
            return Localized(text, False, self.lang)
        hit = self._cache.get(text)
        if hit is None and self.lang == DEFAULT_LANGUAGE:
            hit = self._cache[text] = Localized(self._english(text, 0), False, self.lang)
        if hit is None:
            found = self._text(text, depth=0)
            if found is None:
                hit = Localized(text, True, DEFAULT_LANGUAGE)
            else:
                hit = Localized(found, False, self.lang)
            self._cache[text] = hit
        return hit

    def _english(self, text: str, depth: int) -> str:
        """English: the text as the engine wrote it, with a country or currency code that
        fills a whole field of its message put in words ("in Songkhla, TH" -> "in Songkhla, Thailand")."""
        if depth > 6 or not _CODE.search(text):
            return text
        plain, templated = _templates()
        if text in plain:
            return text
        out = text
        for tpl in templated:
            splits = _splits(text, tpl.parts)
            if splits:
                values = {f: self._english_value(f, v, depth) for f, v in zip(tpl.fields, splits[0])}
                out = _fill_by_name(tpl.msgid, values)
                break
        if "; " in text and _CODE.search(out):  # texts the engine joined ("a; b"): each on its own
            joined = "; ".join(self._english(part, depth + 1) for part in text.split("; "))
            if len(_CODE.findall(joined)) < len(_CODE.findall(out)):
                return joined
        return out

    def _english_value(self, field: str, value: str, depth: int) -> str:
        if field in _NAMES:
            return value
        if re.fullmatch(r"[A-Z]{2}", value):
            return _english_country(value) or value
        if re.fullmatch(r"[A-Z]{3}", value):
            name = get_currency_name(value, count=2, locale=DEFAULT_LANGUAGE)
            return name if name != value else value
        head, sep, last = value.rpartition(" and ")
        if sep and _CODE.search(value):
            items = [self._english_value(field, v, depth) for v in head.split(", ")]
            return ", ".join(items) + sep + self._english_value(field, last, depth)
        return self._english(value, depth + 1)

    def _message(self, msgid: str) -> str | None:
        if msgid in self.extra:
            return self.extra[msgid]
        return self.t.gettext(msgid) if self.t.has(msgid) else None

    def _text(self, text: str, depth: int) -> str | None:
        if depth > 6:
            return None
        plain, templated = _templates()
        if text in plain or text in self.extra:
            return self._message(text)
        term = self._term(text)
        if term is not None:
            return term
        # Several messages can fit one text ("Restricts your movement{note}." and "{text}
        # Shown on request." both fit "Restricts your movement. Shown on request."): of the
        # fits, take the one that leaves the fewest characters as they were written (a
        # partner's note or a name passes through untranslated), then the most specific.
        best: tuple[int, str] | None = None
        for tpl in templated:
            splits = _splits(text, tpl.parts)
            if not splits:
                continue
            target = self._message(tpl.msgid)
            if target is None:
                continue
            for split in splits:
                values = self._values(tpl.fields, split, depth)
                if values is None:
                    continue
                kept = sum(
                    len(v) for v, out in zip(split, values) if v == out and v.strip() and not _NUMBER.fullmatch(v)
                )
                if best is None or kept < best[0]:
                    best = (kept, _fill_by_name(target, dict(zip(tpl.fields, values))))
                if kept == 0:
                    return best[1]
        return None if best is None else best[1]

    def _values(self, fields: tuple[str, ...], split: list[str], depth: int) -> list[str] | None:
        out = []
        for field, value in zip(fields, split):
            v = self._value(field, value, depth)
            if v is None:
                return None
            out.append(v)
        return out

    def _term(self, text: str) -> str | None:
        """A single word or name: a term, a need or kind label written in lower case, a
        country or language name, a currency code, a date."""
        plain, _ = _templates()
        if text in TERMS:
            return self._message(TERMS[text])
        cap = text[:1].upper() + text[1:]
        if cap != text and cap in plain:
            return self._message(cap)
        countries, languages = _english_names()
        if text in countries:
            return country_display_name(countries[text], self.lang) or None
        if text in languages:
            return language_display_name(languages[text], self.lang) or None
        if re.fullmatch(r"[A-Z]{2}", text):
            return country_display_name(text, self.lang) or None
        if re.fullmatch(r"[A-Z]{3}", text):
            name = get_currency_name(text, locale=self.lang)
            return name if name != text else None
        if _DATE.fullmatch(text):
            return format_date(text, self.lang)
        return None

    def _value(self, field: str, value: str, depth: int) -> str | None:
        if not value.strip() or _NUMBER.fullmatch(value.strip()):
            return value
        found = self._text(value, depth + 1)
        if found is not None:
            return found
        # a list the engine joined ("a, b and c"; "a; b"): each item on its own
        for sep in ("; ",):
            if sep in value:
                items = [self._text(v, depth + 1) for v in value.split(sep)]
                if all(i is not None for i in items):
                    return sep.join(i for i in items if i is not None)
        head, _, last = value.rpartition(" and ")
        if head:
            items = [self._text(v, depth + 1) for v in [*head.split(", "), last]]
            if all(i is not None for i in items):
                return format_list_of([i for i in items if i is not None], self.lang)
        if field in _NAMES and _balanced(value):
            return value
        return None
