"""Facts of an option list put in words a person reads, in the client's language: the
engine's messages, the list's stored texts localised, and what a consent field holds.

Only presentation: what the options are, and why, comes from the stored option list.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from freechoice.catalog import NEEDS
from freechoice.engine.messages import message
from freechoice.engine.text import country_display_name, format_money, language_display_name
from freechoice.engine.text import translator as engine_translator
from freechoice.engine.text.localize import Localizer
from freechoice.engine.text.terms import TERMS

from .i18n import N_
from .intake_form import DOCUMENT_TEXT, LEGAL_TEXT, PLAN_TEXT, WORK_LIMIT_TEXT

__all__ = ["ClientWords", "shared_value"]


class ClientWords:
    """What the option pages show the client, in their language: the engine's messages
    (``say``), the option list's stored English texts put back into the language
    (``text``: marked as English when there is no translation yet), money in words."""

    def __init__(self, lang: str) -> None:
        self.t = engine_translator(lang)
        self.lang = self.t.language
        self._localize = Localizer(self.t)

    def say(self, key: str, **fields: Any) -> str:
        return message(key, self.t, **fields)

    def text(self, english: str) -> Markup:
        found = self._localize(english)
        if not found.fallback or self.lang == "en":
            return Markup("{}").format(found.text)
        return Markup('<span lang="en">{}</span> <span class="muted">{}</span>').format(
            found.text, self.say("view-in-english")
        )

    def near_miss(self, name: str, provider: str, blocked: list[str]) -> Markup:
        """A nearly matched service and what stood in its way, each reason in the
        client's language (marked as English when it has no translation yet)."""
        reasons = Markup("; ").join(self.text(b) for b in blocked)
        # the message's own words are ours; every value is escaped before it goes in
        return Markup(self.say("view-near-miss", name=escape(name), provider=escape(provider), blocked=reasons))

    def money(self, amount: float, currency: str) -> str:
        return format_money(amount, currency, self.lang)


_CODED = {
    "plan": PLAN_TEXT,
    "documents": DOCUMENT_TEXT,
    "work_limits": WORK_LIMIT_TEXT,
    "legal_interest": LEGAL_TEXT,
}


def shared_value(name: str, value: Any, translate: Any) -> str:
    """What a consent field holds for this client, in words (``translate``: the
    client's gettext; languages and countries are named in its language)."""
    lang = getattr(translate, "lang", "en")
    if value is None or value == [] or value == {}:
        return str(translate(N_("not given")))
    if name == "need":
        return str(translate(NEEDS[value].label)) if value in NEEDS else str(value)
    if name == "needs":
        ranked = sorted(value.items(), key=lambda kv: (-kv[1], NEEDS[kv[0]].order if kv[0] in NEEDS else 99))
        return "; ".join(f"{translate(NEEDS[n].label) if n in NEEDS else n} ({p})" for n, p in ranked)
    if name == "languages":
        return ", ".join(language_display_name(code, lang) or code for code in value)
    if name in ("location", "intended_location"):
        return ", ".join(b for b in (value.get("area"), country_display_name(value.get("country", ""), lang)) if b)
    if name == "nationality":
        return country_display_name(str(value), lang)
    if name in ("no_contact_with", "avoid_sectors", "gender"):  # the engine's terms, in the shared catalogs
        items = value if isinstance(value, list) else [value]
        words = [str(v).replace("_", " ") for v in items]
        return ", ".join(str(translate(TERMS[w])) if w in TERMS else w for w in words)
    if name in _CODED:
        words = _CODED[name]
        items = value if isinstance(value, list) else [value]
        return ", ".join(str(translate(words[v])) if v in words else str(v).replace("_", " ") for v in items)
    if isinstance(value, list):
        return ", ".join(str(v).replace("_", " ") for v in value)
    return str(value)
