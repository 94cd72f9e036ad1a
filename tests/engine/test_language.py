"""Language (issue 9, item 10): health and legal help are never left out over language,
other services left out name the client's languages, a list without a language
recorded says so, and "staff speak your language" names which."""

from __future__ import annotations

from assessment_strategies import assessments, catalogs
from hypothesis import HealthCheck, given, settings

from freechoice.engine import load_rules, propose
from freechoice.engine.language import language_name
from freechoice.engine.render import render_option_list

RULES = load_rules()
PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_CARE = ("health.", "legal_aid.")


@PROPS
@given(a=assessments(), cat=catalogs())
def test_language_never_silently_fits_and_never_shuts_out_health_or_legal_help(a, cat):
    ol = propose(a, cat, RULES, all_needs=True)
    langs = a.situation.languages
    assert ("language-not-recorded" in {c.rule for c in ol.cautions}) == (not langs)
    if not langs:
        assert "No language recorded" in render_option_list(ol)
    for e in ol.excluded:
        if e.rule == "no-shared-language":
            assert not any(k.startswith(_CARE) for k in cat.service(e.service_id).kinds)
            assert all(language_name(code) in e.text for code in langs)
    for need in ol.needs:
        for o in need.options:
            svc = cat.service(o.service_id)
            spoken = [c for c in langs if c in svc.languages]
            fit = [r.text for r in o.reasons if r.rule == "language-fit"]
            if spoken:
                assert fit == [f"Staff speak your language ({language_name(spoken[0])})"]
            else:
                assert not fit
                if langs and not svc.interpretation:
                    assert "no-shared-language-bring-interpreter" in {c.rule for c in o.cautions}


def test_language_names_read_as_a_person_says_them():
    assert [language_name(c) for c in ("my", "th", "km", "lo", "ms", "shn")] == [
        "Burmese",
        "Thai",
        "Khmer",
        "Lao",
        "Malay",
        "Shan",
    ]
