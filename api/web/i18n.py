"""The pages' words in the user's and the client's language.

Every string a page shows goes through :func:`translator` (templates call ``_()`` or
``{% trans %}`` of ``jinja2.ext.i18n``, which is bound to it): the one place that
changes when the shared localisation layer (``freechoice.engine.text``) provides the
catalogs. Until then it answers in English and the pages still carry the right
``lang`` attributes, so the browser picks the right font for what is translated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["LANGUAGE_NAMES", "N_", "Translator", "negotiate", "translator"]

#: languages by their own name (what the language switch shows)
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "my": "မြန်မာ",
    "km": "ខ្មែរ",
    "th": "ไทย",
    "lo": "ລາວ",
    "vi": "Tiếng Việt",
    "id": "Bahasa Indonesia",
    "tl": "Tagalog",
    "ne": "नेपाली",
    "bn": "বাংলা",
    "zh": "中文",
}


@dataclass(frozen=True)
class Translator:
    """gettext and ngettext for one language (``lang`` is what pages put in ``lang=``)."""

    lang: str
    gettext: Callable[[str], str]
    ngettext: Callable[[str, str, int], str]

    def __call__(self, message: str, **values: object) -> str:
        text = self.gettext(message)
        return text % values if values else text


def N_(message: str) -> str:
    """Mark a message for extraction where it is defined; it is translated where shown."""
    return message


def _english(message: str) -> str:
    return message


def _english_plural(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


def translator(lang: str | None) -> Translator:
    """The words of the pages in ``lang`` (English for a language without a catalog)."""
    return Translator(lang or "en", _english, _english_plural)


def negotiate(wanted: Sequence[str | None], offered: Sequence[str], default: str = "en") -> str:
    """The first of ``wanted`` (explicit choices first, then an Accept-Language header's
    tags, best first) that is ``offered``; ``default`` when none is."""
    for item in wanted:
        if not item:
            continue
        for part in item.split(","):
            tag = part.split(";", 1)[0].strip().lower().replace("_", "-")
            base = tag.split("-", 1)[0]
            if tag in offered:
                return tag
            if base in offered:
                return base
    return default
