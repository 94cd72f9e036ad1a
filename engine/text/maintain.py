"""Keeping the catalogs in step with the code: write the template, update every ``.po``."""

from __future__ import annotations

import io
import re
from pathlib import Path

from babel.messages.pofile import read_po, write_po

from .catalogs import DOMAIN, LANGUAGES
from .extract import extract_template, template_text

__all__ = ["locales_dir", "update_catalogs"]


def _undated(text: str) -> str:
    return re.sub(r'^"(POT-Creation-Date|PO-Revision-Date): .*"$', "", text, flags=re.M)


def locales_dir() -> Path:
    """The ``locales`` folder of the source tree (the editable install's own)."""
    return Path(__file__).parent / "locales"


def update_catalogs(root: Path | None = None) -> list[Path]:
    """Write ``freechoice.pot`` from the code and merge it into each language's ``.po``
    (new messages untranslated, gone ones dropped, translations kept). Returns the files written."""
    base = root or locales_dir()
    template = extract_template()
    pot = base / f"{DOMAIN}.pot"
    text = template_text(template)
    if not pot.exists() or _undated(pot.read_text(encoding="utf-8")) != _undated(text):
        pot.write_text(text, encoding="utf-8")  # a new date only when the messages changed
    written = [pot]
    for lang in LANGUAGES:
        path = base / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as f:
                cat = read_po(f, locale=lang, domain=DOMAIN)
        else:
            cat = read_po(io.StringIO(template_text(template)), locale=lang, domain=DOMAIN)
            cat.header_comment = (
                f"# freechoice messages in {lang}.\n# Made-by: not yet translated\n# Review-status: not reviewed"
            )
        cat.update(template, update_header_comment=False, update_creation_date=False)
        cat.obsolete.clear()
        buf = io.BytesIO()
        write_po(buf, cat, include_lineno=False, width=100, ignore_obsolete=True)
        path.write_bytes(buf.getvalue())
        written.append(path)
    return written
