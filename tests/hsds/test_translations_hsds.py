"""Translations travel through HSDS as the profile's ``fact:translations`` attribute of
services and organisations, and come back exactly."""

from __future__ import annotations

import json

from freechoice.catalog import Catalog, Organization, Service
from freechoice.catalog.hsds import export_catalog, parse_hsds, profile, profile_errors
from freechoice.catalog.hsds.source import fingerprint
from freechoice.catalog.hsds.vocabulary import fact_term

ORG = Organization(
    id="org-tr",
    name="Rice Kitchen Network (fictional)",
    description="Kitchens for workers.",
    translations={"th": {"name": "เครือข่ายครัวข้าว", "provenance": "drafted by an AI assistant, awaiting review"}},
    sample=True,
)
SVC = Service(
    id="svc-tr",
    organization_id="org-tr",
    name="Community kitchen (fictional)",
    application_process="Come to the kitchen door.",
    kinds=["food.meals"],
    service_areas=[{"country": "TH", "area": "Songkhla"}],
    translations={
        "my": {"name": "ထမင်းဆိုင်", "application_process": "မီးဖိုချောင် တံခါးကို လာပါ"},
        "km": {"description": "អាហារក្តៅរាល់ថ្ងៃ"},
    },
)


def _doc() -> dict:
    return json.loads(json.dumps(export_catalog(Catalog([ORG], [SVC]))))


def test_translations_travel_as_a_profile_attribute_and_how_to_apply_as_hsds_application_process():
    doc = _doc()
    (svc,) = doc["services"]
    assert svc["application_process"] == "Come to the kitchen door."
    term = fact_term("translations")
    (attr,) = [a for a in svc["attributes"] if a["taxonomy_term_id"] == term]
    assert json.loads(attr["value"])["my"]["name"] == "ထမင်းဆိုင်"
    (org_attr,) = [a for a in doc["organizations"][0]["attributes"] if a["taxonomy_term_id"] == term]
    assert json.loads(org_attr["value"]) == {
        "th": {"name": "เครือข่ายครัวข้าว", "provenance": ORG.translations["th"].provenance}
    }
    assert profile_errors(doc) == []
    back = parse_hsds(doc)
    assert back.organizations == [ORG] and back.services == [SVC]


def test_the_profile_describes_translations_for_both_entities_and_catches_an_unknown_language():
    entry = profile()["attributes"]["fact:translations"]
    assert entry["link_entity"] == ["organization", "service"]
    assert entry["schema"]["propertyNames"] == {"enum": ["km", "lo", "my", "th"]}
    doc = _doc()
    term = fact_term("translations")
    for a in doc["services"][0]["attributes"]:
        if a["taxonomy_term_id"] == term:
            a["value"] = json.dumps({"de": {"name": "Küche"}})
    (problem,) = profile_errors(doc)
    assert problem.startswith("service ") and "fact:translations" in problem and "'de'" in problem


def test_records_kept_from_another_directory_before_translations_existed_still_match_their_source():
    data = SVC.model_dump(mode="json")
    older = {k: v for k, v in data.items() if k not in ("translations", "application_process")}
    plain = dict(data, translations={}, application_process=None)
    assert fingerprint(plain) == fingerprint(older)
    assert fingerprint(data) != fingerprint(older)
