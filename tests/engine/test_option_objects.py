"""The option list the engine builds is exactly what validating its JSON gives, and it
follows catalog changes at once (the engine caches per-service parts between calls)."""

from __future__ import annotations

import json

import pytest
from assessment_strategies import assessments, catalogs
from hypothesis import HealthCheck, given, settings

from freechoice.engine import OptionList, load_rules, parse_assessment, propose
from freechoice.engine.options import Option

RULES = load_rules()
PROPS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CLIENT = {
    "client_ref": "c-obj",
    "needs": {"employment": 4, "compensation": 4, "housing": 3},
    "situation": {"location": {"country": "TH", "area": "Songkhla"}, "languages": ["my"]},
}


@PROPS
@given(a=assessments(), cat=catalogs())
def test_built_option_list_equals_the_validated_one(a, cat):
    ol = propose(a, cat, RULES, quality={s.id: (4.6, 7) for s in list(cat)[::3]})
    text = ol.model_dump_json()
    again = OptionList.model_validate_json(text)
    assert again == ol  # no field missing, none extra, every value valid
    assert again.model_dump_json() == text
    for need in json.loads(text)["needs"]:
        for opt in need["options"]:
            assert list(opt) == list(Option.model_fields)  # JSON keys in the documented order


@pytest.mark.parametrize("limit", [None, 2])
def test_changing_an_option_list_does_not_change_the_next_one(limit):
    from freechoice.catalog import load_sample_catalog

    cat = load_sample_catalog()
    a = parse_assessment(CLIENT)
    first = propose(a, cat, RULES, limit=limit)
    expected = propose(a, cat, RULES, limit=limit).model_dump(mode="json")
    changed = 0
    for need in first.needs:
        for opt in need.options:
            opt.kinds.append("tampered")
            opt.languages.clear()
            opt.location["city"] = "tampered"
            opt.location["service_areas"].append({"country": "XX"})
            opt.cost["free"] = not opt.cost["free"]
            for cost in opt.cost["options"]:
                cost["amount"] = 12345
                changed += 1
            opt.cost["options"].append({"amount": 1})
            for area in opt.location["service_areas"]:
                area["area"] = "tampered"
            opt.reasons.clear()
            opt.cautions.clear()
            opt.steps.clear()
    assert changed  # the cost options of some option were changed in place
    assert propose(a, cat, RULES, limit=limit).model_dump(mode="json") == expected


def test_options_follow_a_renamed_provider_and_a_changed_service():
    from freechoice.catalog import load_sample_catalog

    cat = load_sample_catalog()
    a = parse_assessment(CLIENT)
    opt = propose(a, cat, RULES).needs[0].options[0]
    org = cat.organization(opt.provider_id)
    cat.upsert_organization(org.model_copy(update={"name": org.name + " (renamed)"}))
    svc = cat.service(opt.service_id)
    cat.upsert_service(svc.model_copy(update={"name": svc.name + " (new name)", "languages": ["my", "en"]}))
    after = {o.service_id: o for n in propose(a, cat, RULES).needs for o in n.options}[opt.service_id]
    assert after.provider_name == org.name + " (renamed)"
    assert after.service_name == svc.name + " (new name)"
    assert after.languages == ["my", "en"]


def test_rule_texts_can_name_the_clients_own_facts():
    from freechoice.catalog import load_sample_catalog
    from freechoice.engine import compile_rules
    from freechoice.rules import parse_pack

    pack = parse_pack(
        {
            "pack": "texts",
            "rules": [
                {
                    "id": "say-plan",
                    "description": "repeats the client's facts back",
                    "when": {"service": {"kinds": {"any_of": ["legal_aid.wage_claim"]}}},
                    "then": {
                        "caution": "Plan: {client.plan}; in {client.location.country}; languages {client.languages}; "
                        "wage-claim priority {client.needs.compensation}; valid papers: {client.documents_valid}"
                    },
                }
            ],
        }
    )
    a = parse_assessment(
        {
            **CLIENT,
            "needs": {"compensation": 4},
            "situation": {**CLIENT["situation"], "plan": "stay", "languages": ["th", "my"]},
        }
    )
    ol = propose(a, load_sample_catalog(), compile_rules(pack))
    texts = {c.text for n in ol.needs for o in n.options for c in o.cautions if c.rule == "say-plan"}
    assert texts == {"Plan: stay; in TH; languages my and th; wage-claim priority 4; valid papers: False"}
