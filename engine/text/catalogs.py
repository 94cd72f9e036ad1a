"""The gettext catalogs: one ``.po`` per language under ``locales/``, compiled at import.

The ``.po`` files are the source of truth (Babel reads them and writes the ``.mo`` in
memory, once per process), so a fresh clone or an installed wheel works without a
build step. Each catalog's header comment states how it was made and who reviewed it
(``Made-by:`` and ``Review-status:`` lines); :func:`catalog_status` reads them.
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Babel's message tools are imported with the first catalog read (not needed to start serving)
    from babel.messages.catalog import Catalog

__all__ = [
    "CatalogStatus",
    "DEFAULT_LANGUAGE",
    "DOMAIN",
    "LANGUAGES",
    "Translator",
    "catalog_status",
    "read_catalog",
    "translator",
]

DOMAIN = "freechoice"
DEFAULT_LANGUAGE = "en"
#: the languages freechoice ships catalogs for (English is the source language)
LANGUAGES: tuple[str, ...] = ("en", "my", "th", "km", "lo")


def _po_text(lang: str) -> str:
    path = resources.files(__package__).joinpath("locales", lang, "LC_MESSAGES", f"{DOMAIN}.po")
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=16)
def read_catalog(lang: str) -> Catalog:
    """The Babel catalog of ``lang`` as shipped (``LookupError`` when there is none)."""
    if lang not in LANGUAGES:
        raise LookupError(f"no catalog for language {lang!r}; available: {', '.join(LANGUAGES)}")
    from babel.messages.pofile import read_po

    return read_po(io.StringIO(_po_text(lang)), locale=lang, domain=DOMAIN)


@dataclass(frozen=True, slots=True)
class CatalogStatus:
    """How a language's catalog was made and how much of the template it covers."""

    language: str
    made_by: str
    review_status: str
    translated: int
    total: int

    @property
    def complete(self) -> bool:
        return self.translated == self.total


def _header_fields(cat: Catalog) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in (cat.header_comment or "").splitlines():
        key, sep, value = line.lstrip("# ").partition(":")
        if sep and key.strip().lower() in ("made-by", "review-status"):
            out[key.strip().lower()] = value.strip()
    return out


@lru_cache(maxsize=16)
def catalog_status(lang: str) -> CatalogStatus:
    """Coverage and review status of ``lang``'s catalog (English: the source, complete)."""
    cat = read_catalog(lang)
    fields = _header_fields(cat)
    messages = [m for m in cat if m.id]
    if lang == DEFAULT_LANGUAGE:
        translated = len(messages)
    else:
        translated = sum(1 for m in messages if m.string and not m.fuzzy)
    return CatalogStatus(
        language=lang,
        made_by=fields.get("made-by", "not stated"),
        review_status=fields.get("review-status", "not stated"),
        translated=translated,
        total=len(messages),
    )


class Translator:
    """gettext for one language, with English behind it for any message not translated.

    ``language`` is the language the words are in; ``is_fallback`` is True when the
    requested language has no catalog and English is used instead.
    """

    def __init__(self, language: str, requested: str, translations: gettext.NullTranslations) -> None:
        self.language = language
        self.requested = requested
        self._t = translations

    @property
    def is_fallback(self) -> bool:
        return self.language != self.requested

    def gettext(self, message: str) -> str:
        return self._t.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._t.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return self._t.pgettext(context, message)

    def has(self, message: str) -> bool:
        """Whether ``message`` has its own translation here (English: always)."""
        return (
            self.language == DEFAULT_LANGUAGE
            or self._t.gettext(message) != message
            or message in _identical(self.language)
        )

    def __repr__(self) -> str:
        return f"Translator({self.language!r}, requested={self.requested!r})"


@lru_cache(maxsize=16)
def _identical(lang: str) -> frozenset[str]:
    """Messages whose translation is spelled as the English (numbers, names)."""
    return frozenset(str(m.id) for m in read_catalog(lang) if m.id and m.string == m.id)


@lru_cache(maxsize=16)
def _compiled(lang: str) -> gettext.GNUTranslations:
    from babel.messages.mofile import write_mo

    buf = io.BytesIO()
    write_mo(buf, read_catalog(lang))
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def translator(lang: str | None) -> Translator:
    """The translator for ``lang`` (a code such as ``"my"`` or ``"my-MM"``); English when
    there is no catalog for it (``is_fallback`` then says so)."""
    requested = (lang or DEFAULT_LANGUAGE).replace("_", "-").split("-")[0].lower()
    language = requested if requested in LANGUAGES else DEFAULT_LANGUAGE
    return Translator(language, requested, _compiled(language))
