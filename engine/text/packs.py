"""Which texts of a rule pack lack which language.

A bundled pack is translated in the gettext catalogs; a custom pack carries its own
``translations`` (by language: its text -> the translation) and states the
``language`` it is written in. A text with no translation into the client's language
is shown in the pack's own language, marked as such.
"""

from __future__ import annotations

from freechoice.rules import RulePack

from .catalogs import LANGUAGES, translator
from .extract import RULE_TEXT_KEYS

__all__ = ["missing_translations"]


def missing_translations(pack: RulePack) -> dict[str, list[tuple[str, str, str]]]:
    """Per shipped language other than the pack's own: ``(rule id, effect key, text)``
    of every text with neither a catalog translation nor one in the pack."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for lang in LANGUAGES:
        if lang == pack.language:
            continue
        t = translator(lang)
        table = pack.translations.get(lang, {})
        missing = []
        for rule in pack.rules:
            for key in RULE_TEXT_KEYS:
                text = getattr(rule.then, key)
                if not isinstance(text, str) or not text or text in table:
                    continue
                if pack.language == "en" and t.has(text):
                    continue
                missing.append((rule.id, key, text))
        out[lang] = missing
    return out
