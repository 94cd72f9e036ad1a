"""Honest, complete translations (issue 10, item 6): every client-facing message has a
translation in every shipped language that keeps its placeholders; each catalog says
how it was made and its review status; Burmese is Unicode, not Zawgyi."""

from __future__ import annotations

import re

import pytest

from freechoice.engine.text import LANGUAGES, catalog_status
from freechoice.engine.text.catalogs import read_catalog
from freechoice.engine.text.localize import placeholders
from freechoice.engine.text.zawgyi import is_zawgyi, zawgyi_probability

TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]
#: the script each language is written in (a translation in the wrong script is no translation)
SCRIPTS = {
    "my": re.compile(r"[\u1000-\u109f]"),
    "th": re.compile(r"[\u0e00-\u0e7f]"),
    "km": re.compile(r"[\u1780-\u17ff]"),
    "lo": re.compile(r"[\u0e80-\u0eff]"),
}
_ONLY_FIELDS = re.compile(r"^[\s\W]*(\{[^{}]*\}[\s\W]*)*$")
#: the pages' fields (``%(name)s``, from ``_()`` and ``{% trans %}``)
_PERCENT_FIELD = re.compile(r"%\((\w+)\)[sd]")


def _fields(text: str) -> list[str]:
    """The fields of a message in either style (engine ``{name}``, pages ``%(name)s``)."""
    return sorted([*placeholders(text), *(f"%{name}" for name in _PERCENT_FIELD.findall(text))])


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated_and_keeps_its_placeholders(lang):
    cat = read_catalog(lang)
    missing, broken, wrong_script = [], [], []
    for m in cat:
        if not m.id:
            continue
        if isinstance(m.id, (tuple, list)):  # a plural message: each form keeps the plural's fields
            forms = [f for f in m.string if f]
            if not forms or len(forms) != len(m.string) or m.fuzzy:
                missing.append(m.id[0])
            broken += [(m.id[1], f) for f in forms if _fields(m.id[1]) != _fields(f)]
            continue
        if not m.string or m.fuzzy:
            missing.append(m.id)
            continue
        if _fields(m.id) != _fields(m.string):
            broken.append((m.id, m.string))
        # the text around the placeholders is in the language's own script
        if not _ONLY_FIELDS.match(m.string) and not SCRIPTS[lang].search(m.string):
            wrong_script.append(m.string)
    assert not missing, f"{lang}: {len(missing)} message(s) without a translation, e.g. {missing[:3]}"
    assert not broken, f"{lang}: placeholders changed: {broken[:3]}"
    assert not wrong_script, f"{lang}: not in its script: {wrong_script[:3]}"
    # a translated template still fills: every field the English names is filled in
    for m in cat:
        if m.id and m.string and isinstance(m.id, str):
            known = set(placeholders(m.id))
            filled = re.sub(
                r"\{([a-zA-Z_][a-zA-Z0-9_.]*)(?:[:!][^{}]*)?\}",
                lambda f, k=known: "X" if f.group(1) in k else "{?}",
                m.string,
            )
            assert "{" not in filled and "}" not in filled, (lang, m.string)
            if "python-format" in m.flags:  # a page's message: fills with its own fields, no stray %
                values = {name: "X" for name in _PERCENT_FIELD.findall(m.id)}
                assert "%" not in (m.string % values), (lang, m.string)


def test_the_words_of_the_pages_are_in_the_catalogs():
    """Every word the web workspace's pages show is one of the messages checked above."""
    from freechoice.api.web.i18n import page_messages

    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_catalog("my") if m.id}
    page = {message for message, _where in page_messages()}
    assert page and not page - ids, sorted(page - ids)[:5]
    assert {"Sign in", "Intake with the client", "Priority %(n)s", "Has no documents", "No night work"} <= ids


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_catalog_says_how_it_was_made_and_its_review_status(lang):
    status = catalog_status(lang)
    assert status.complete
    assert status.made_by != "not stated" and status.review_status != "not stated"
    if lang != "en":
        # drafted by an AI: it must say so, and not claim a review that did not happen
        assert "AI assistant" in status.made_by
        assert "awaiting review by a native speaker" in status.review_status


def test_burmese_is_unicode_not_zawgyi():
    texts = [
        s for m in read_catalog("my") if m.id for s in ([m.string] if isinstance(m.string, str) else m.string) if s
    ]
    flagged = [t for t in texts if is_zawgyi(t)]
    assert not flagged, f"looks like Zawgyi: {flagged[:3]}"
    # the whole catalog at once: long enough for the detector to be sure
    assert zawgyi_probability(" ".join(texts)) < 0.01


def test_the_zawgyi_check_would_catch_a_zawgyi_catalog_entry():
    """The same word typed in Zawgyi (vowel sign e before the consonant, Zawgyi's
    medial forms) is caught, so the test above can fail."""
    assert is_zawgyi("ေငြေၾကး")  # "money" in Zawgyi: caught by the vowel-first rule
    assert not is_zawgyi("ငွေကြေး")  # the same in Unicode
    zawgyi_sentence = "ျမန္မာႏိုင္ငံမွာ အလုပ္လုပ္ခ်င္ပါတယ္"  # "I want to work in Myanmar", Zawgyi
    assert is_zawgyi(zawgyi_sentence)  # long enough: the detector decides
    assert not is_zawgyi("မြန်မာနိုင်ငံမှာ အလုပ်လုပ်ချင်ပါတယ်")


@pytest.mark.parametrize("lang", TRANSLATED)
def test_consent_and_feedback_questions_are_asked_in_the_clients_language(lang):
    from freechoice.engine.choices import CONSENT_FIELDS
    from freechoice.engine.feedback import NEED_MET
    from freechoice.engine.questions import consent_questions, feedback_questions

    consent = consent_questions(lang)
    assert list(consent) == list(CONSENT_FIELDS)
    feedback = feedback_questions(lang)
    assert {f"need_met.{answer}" for answer in NEED_MET} <= set(feedback)
    for text in [*consent.values(), *feedback.values()]:
        assert SCRIPTS[lang].search(text) and not re.search(r"[A-Za-z]{3,}", text), text
    assert consent_questions("en")["age"] == "your age"
