"""The language layer (issue 10, item 1): catalogs kept in step with the code,
Accept-Language negotiation, English fallback marked as such, locale formats with no
codes, and Burmese checked for Zawgyi."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from freechoice.engine.text import (
    LANGUAGES,
    country_display_name,
    format_date,
    format_money,
    language_display_name,
    negotiate,
    translator,
)
from freechoice.engine.text.extract import template_text
from freechoice.engine.text.zawgyi import is_zawgyi

POT = Path(__file__).resolve().parents[2] / "engine" / "text" / "locales" / "freechoice.pot"


def _without_dates(text: str) -> str:
    return re.sub(r'^"(POT-Creation-Date|PO-Revision-Date): .*"$', "", text, flags=re.M)


def test_the_committed_template_is_what_the_code_extracts():
    """Change a client-facing text in the code or a bundled pack and this fails until
    `freechoice i18n extract` is run (and the new text translated)."""
    assert _without_dates(POT.read_text(encoding="utf-8")) == _without_dates(template_text())


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("my-MM,my;q=0.9,en;q=0.5", "my"),
        ("th-TH", "th"),
        ("fr-FR,km;q=0.3", "km"),
        ("en;q=0.2,lo;q=0.8", "lo"),
        ("de, fr", "en"),
        ("", "en"),
        (None, "en"),
        ("my;q=0, th", "th"),
        ("*", "en"),
    ],
)
def test_accept_language_is_negotiated_to_a_language_we_have(header, expected):
    assert negotiate(header) == expected


@given(st.text(max_size=60))
def test_negotiation_never_fails_and_always_answers_a_shipped_language(header):
    assert negotiate(header) in LANGUAGES


def test_a_language_without_a_catalog_falls_back_to_english_and_says_so():
    t = translator("fr")
    assert t.language == "en" and t.is_fallback
    assert t.gettext("Find work") == "Find work"
    mm = translator("my-MM")
    assert mm.language == "my" and not mm.is_fallback


def test_money_is_exact_and_named_in_words_never_by_code():
    assert format_money(9000, "THB", "en") == "9,000 Thai baht"
    assert format_money(Decimal("0.10") + Decimal("0.20"), "USD", "en") == "0.30 US dollars"
    for lang in LANGUAGES:
        text = format_money(108000, "MMK", lang)
        assert "MMK" not in text and re.search(r"108[,.\s]?000", text), (lang, text)


def test_dates_and_names_are_in_the_readers_language():
    assert format_date("2026-01-05", "en") == "January 5, 2026"
    assert "2026" in format_date("2026-01-05", "th") and "January" not in format_date("2026-01-05", "th")
    assert country_display_name("MM", "my") == "မြန်မာ"
    assert language_display_name("km", "km") == "ខ្មែរ"
    assert country_display_name("XQ", "en") == ""  # a code never comes back as the name


def test_zawgyi_is_told_apart_from_unicode_burmese():
    assert not is_zawgyi("မင်္ဂလာပါ")  # "hello" in Unicode
    assert is_zawgyi("ေငြ")  # "money" typed in Zawgyi (vowel sign before the consonant)
    assert not is_zawgyi("အစားအစာ")  # "food": short Unicode the detector alone would flag
    assert not is_zawgyi("Find work")


def test_pybabel_with_babel_cfg_extracts_the_same_messages():
    """`pybabel extract -F babel.cfg` (the ecosystem's tool) and `freechoice i18n extract` agree."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    root = POT.parents[3]
    with (root / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    from babel.messages.extract import DEFAULT_KEYWORDS

    keywords = {**DEFAULT_KEYWORDS, "c_": None}  # `-k c_`, as babel.cfg's first line says
    found = {  # a plural message is its (singular, plural) pair
        msg if isinstance(msg, str) else tuple(msg)
        for _, _, msg, _, _ in extract_from_dir(str(root), method_map, options_map, keywords=keywords)
    }
    from freechoice.engine.text.extract import extract_template

    assert found == {m.id if isinstance(m.id, str) else tuple(m.id) for m in extract_template() if m.id}


def test_extract_into_a_fresh_folder_starts_every_catalog_and_keeps_the_template_date(tmp_path):
    """`freechoice i18n extract` as for a new language: a catalog appears with every
    message untranslated and says it is not translated yet; a second run with no change
    in the messages leaves the template exactly as it was (no new date to commit)."""
    from freechoice.engine.text.catalogs import DOMAIN
    from freechoice.engine.text.maintain import update_catalogs

    update_catalogs(tmp_path)
    pot = tmp_path / f"{DOMAIN}.pot"
    first = pot.read_text(encoding="utf-8")
    lo = (tmp_path / "lo" / "LC_MESSAGES" / f"{DOMAIN}.po").read_text(encoding="utf-8")
    assert "# Made-by: not yet translated" in lo and "# Review-status: not reviewed" in lo
    assert lo.count('msgstr ""') == first.count('msgstr ""')  # nothing translated yet
    pot.write_text(first.replace("POT-Creation-Date: ", "POT-Creation-Date: 1999-01-01 00:00+0000 was "), "utf-8")
    update_catalogs(tmp_path)
    assert "1999-01-01" in pot.read_text(encoding="utf-8")  # unchanged messages: not rewritten
