"""Partners' words in the client's language: translations by language, checked as the
partner enters them, and read back with the language they are in."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from freechoice.catalog import TRANSLATION_LANGUAGES, Organization, Service, load_sample_catalog, partner_text

SERVICE = {
    "id": "svc-tr",
    "organization_id": "org-tr",
    "name": "Community kitchen (fictional)",
    "description": "Hot meals every day.",
    "application_process": "Come to the kitchen door; no appointment.",
    "kinds": ["food.meals"],
    "service_areas": [{"country": "TH", "area": "Songkhla"}],
}


def test_a_translated_text_is_given_in_the_clients_language_and_english_is_marked_as_english():
    svc = Service(**SERVICE, translations={"my": {"name": "ထမင်းဆိုင်", "application_process": "တံခါးကို လာပါ"}})
    assert partner_text(svc, "name", "my") == ("ထမင်းဆိုင်", "my")
    assert partner_text(svc, "application_process", "my") == ("တံခါးကို လာပါ", "my")
    # given in Burmese but not the description: the English one, said to be English
    assert partner_text(svc, "description", "my") == ("Hot meals every day.", "en")
    assert partner_text(svc, "name", "km") == ("Community kitchen (fictional)", "en")


def test_a_language_that_is_not_a_client_language_is_refused_naming_the_field_and_the_allowed_codes():
    with pytest.raises(ValidationError) as err:
        Service(**SERVICE, translations={"de": {"name": "Gemeinschaftsküche"}})
    (e,) = err.value.errors()
    assert e["loc"] == ("translations",)
    assert "'de'" in e["msg"] and ", ".join(TRANSLATION_LANGUAGES) in e["msg"]


def test_an_empty_translation_and_an_organisation_with_a_how_to_apply_are_refused():
    with pytest.raises(ValidationError, match="at least one of name, description, application_process"):
        Service(**SERVICE, translations={"th": {"provenance": "drafted"}})
    with pytest.raises(ValidationError) as err:
        Organization(id="org-tr", name="X", translations={"th": {"application_process": "โทรมา"}})
    assert err.value.errors()[0]["loc"] == ("translations", "th", "application_process")


def test_the_sample_catalog_carries_a_few_translations_marked_as_machine_drafted_awaiting_review():
    cat = load_sample_catalog()
    translated = [s for s in cat if s.translations] + [o for o in cat.organizations.values() if o.translations]
    assert len(translated) >= 4
    langs = {lang for r in translated for lang in r.translations}
    assert {"my", "km"} <= langs
    for record in translated:
        for texts in record.translations.values():
            assert texts.provenance and "AI assistant" in texts.provenance and "awaiting review" in texts.provenance
