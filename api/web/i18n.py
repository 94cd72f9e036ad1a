"""The pages' words in the user's and the client's language.

Every string a page shows goes through :func:`translator` (templates call ``_()``,
``c_()`` or ``{% trans %}`` of ``jinja2.ext.i18n``, bound to it per render): the shared
localisation layer, :mod:`freechoice.engine.text`, with its catalogs (need labels,
consent wording, rule texts, contact cards, and the pages' own words: ``freechoice
i18n extract`` takes them from the templates and this package into the one message
template). :func:`page_messages` lists the pages' words (Babel's extractors).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from freechoice.engine.text import N_
from freechoice.engine.text import translator as engine_translator

__all__ = ["KEYWORDS", "LANGUAGE_NAMES", "N_", "Translator", "negotiate", "page_messages", "translator"]

#: languages by their own name (what the language switches show)
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

#: the gettext functions of the pages, for Babel's extractors (Python and Jinja2)
KEYWORDS = {"N_": None, "_": None, "c_": None, "gettext": None, "ngettext": (1, 2)}


@dataclass(frozen=True)
class Translator:
    """gettext and ngettext for one language. ``lang`` is the language the words are
    in (English when there is no catalog for the one asked for): what pages put in
    ``lang=``."""

    lang: str
    gettext: Callable[[str], str]
    ngettext: Callable[[str, str, int], str]

    def __call__(self, message: str, **values: object) -> str:
        text = self.gettext(message)
        return text % values if values else text


def translator(lang: str | None) -> Translator:
    """The words of the pages in ``lang`` (English for a language without a catalog)."""
    t = engine_translator(lang)
    return Translator(t.language, t.gettext, t.ngettext)


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


def page_messages() -> list[tuple[str, str]]:
    """Every message of the pages as ``(message, where)``: the templates' ``_()``,
    ``c_()`` and ``{% trans %}`` and this package's ``N_()`` (Babel's extractors)."""
    from babel.messages.extract import extract_from_dir

    here = Path(__file__).parent
    found = extract_from_dir(
        str(here),
        method_map=[("templates/**.html", "jinja2"), ("**.py", "python")],
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true"}},
        keywords=KEYWORDS,
    )
    out = []
    for filename, _lineno, message, _comments, _context in found:
        text = message[0] if isinstance(message, tuple) else message
        if text:
            out.append((text, filename))
    return out
