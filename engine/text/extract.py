"""Extracting the message template (``freechoice.pot``) from the code and the bundled rule packs.

Sources: every ``N_("...")`` in the engine and in the catalog's taxonomy (Babel's Python
extractor), every text a person reads in the bundled rule packs (``exclude``,
``caution``, ``on_request``, ``reason``: :func:`extract_rule_pack`, usable from
``babel.cfg`` as ``[freechoice.engine.text.extract.extract_rule_pack: rules/*.yaml]``),
and the words of the web workspace's pages: ``_()``, ``c_()``, ``N_()`` and
``{% trans %}`` in ``freechoice.api.web``'s Python and Jinja2 templates (found by
location only: extracting never imports the web layer).
"""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Collection, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import IO, Any

import yaml
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import write_po

from .catalogs import DOMAIN

__all__ = ["RULE_TEXT_KEYS", "extract_rule_pack", "extract_template", "rule_pack_texts", "template_text"]

#: the effect keys of a rule whose value is read by a person
RULE_TEXT_KEYS = ("exclude", "caution", "on_request", "reason")
_BUNDLED_PACKS = ("core.yaml", "default.yaml")
_PY_KEYWORDS = {
    "N_": None,
    "_": None,
    "c_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
}
#: how the pages' templates are read (as ``freechoice.api.web.templating`` sets up Jinja2)
_JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}


def rule_pack_texts(raw: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """``(rule id, effect key, text)`` for every person-read text of a rule pack mapping."""
    out = []
    for rule in raw.get("rules") or []:
        then = rule.get("then") or {}
        for key in RULE_TEXT_KEYS:
            text = then.get(key)
            if isinstance(text, str) and text:
                out.append((str(rule.get("id")), key, text))
    return out


def extract_rule_pack(
    fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str], options: Mapping[str, Any]
) -> Iterator[tuple[int, str, str, list[str]]]:
    """A Babel extraction method for rule pack YAML: one message per rule text."""
    raw = yaml.safe_load(fileobj.read().decode("utf-8")) or {}
    pack = raw.get("pack", "?")
    for rid, key, text in rule_pack_texts(raw):
        yield 0, "N_", text, [f"rule {pack}/{rid} ({key})"]


def _web_dir() -> Path | None:
    """The folder of ``freechoice.api.web`` (without importing it); None when not installed."""
    spec = importlib.util.find_spec("freechoice.api")
    if spec is None or not spec.submodule_search_locations:
        return None
    web = Path(next(iter(spec.submodule_search_locations))) / "web"
    return web if web.is_dir() else None


def _sources() -> list[tuple[Path, str, str]]:
    """(file, method, path shown in the template) for every source of messages."""
    from freechoice import catalog, engine

    engine_dir = Path(engine.__file__).parent
    out: list[tuple[Path, str, str]] = []
    for py in sorted(engine_dir.rglob("*.py")):
        rel = py.relative_to(engine_dir)
        if "locales" in rel.parts:
            continue
        out.append((py, "python", f"engine/{rel.as_posix()}"))
    out.append((Path(catalog.__file__).parent / "taxonomy.py", "python", "catalog/taxonomy.py"))
    rules_dir = Path(str(resources.files("freechoice.rules")))
    for name in _BUNDLED_PACKS:
        out.append((rules_dir / name, "freechoice.engine.text.extract.extract_rule_pack", f"rules/{name}"))
    web = _web_dir()
    if web is not None:
        for py in sorted(web.rglob("*.py")):
            out.append((py, "python", f"api/web/{py.relative_to(web).as_posix()}"))
        for html in sorted((web / "templates").rglob("*.html")):
            out.append((html, "jinja2", f"api/web/{html.relative_to(web).as_posix()}"))
    return out


def extract_template() -> Catalog:
    """The message template, freshly extracted from the installed code and packs."""
    cat = Catalog(project="freechoice", version="0.1.0", domain=DOMAIN, fuzzy=False)
    for path, method, shown in _sources():
        for lineno, message, comments, context in extract_from_file(
            method,
            str(path),
            keywords=_PY_KEYWORDS,
            comment_tags=("TRANSLATORS:",),
            options=_JINJA_OPTIONS if method == "jinja2" else None,
            strip_comment_tags=True,
        ):
            cat.add(message, None, [(shown, lineno)], auto_comments=comments, context=context)
    return cat


def template_text(cat: Catalog | None = None) -> str:
    """The ``.pot`` text (no line numbers, so that moving code does not change it)."""
    buf = io.BytesIO()
    write_po(buf, extract_template() if cat is None else cat, include_lineno=False, width=100, sort_by_file=False)
    return buf.getvalue().decode("utf-8")
