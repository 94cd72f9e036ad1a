"""Limits hold through pathways (issue 9, item 2): no option, no step before it and no
onward referral after it brings contact with a party the client refused. Checked
against the catalog's facts (who a service meets, whom it must report to, what a kind
or a required document means), never against the engine's own texts."""

from __future__ import annotations

from assessment_strategies import assessments, catalogs, pathway_catalogs
from hypothesis import HealthCheck, given, settings
from limit_parties import DOCUMENT_MEETS, KIND_MEETS, brings

from freechoice.catalog import Service
from freechoice.engine import load_rules, parse_assessment, propose

RULES = load_rules()
PROPS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(a, cat, ol) -> int:
    refused = set(a.situation.no_contact_with)
    valid = a.situation.documents == "valid"
    checked = 0
    for need in ol.needs:
        for o in need.options:
            svc = cat.service(o.service_id)
            assert not brings(svc) & refused, (o.option_id, "option")
            docs = set(svc.eligibility.documents_required) | {d.code for d in svc.required_documents}
            if not valid:
                for d in docs:
                    assert not DOCUMENT_MEETS.get(d, set()) & refused, (o.option_id, "required document", d)
            for step in o.steps:
                assert not KIND_MEETS.get(step.kind, set()) & refused, (o.option_id, step.kind)
                if step.service_id is not None:
                    assert step.service_id != o.service_id, (o.option_id, "its own step")
                    assert not brings(cat.service(step.service_id)) & refused, (o.option_id, step.service_id)
                checked += 1
    return checked


@PROPS
@given(a=assessments(), cat=pathway_catalogs())
def test_no_option_step_or_onward_referral_brings_refused_contact(a, cat):
    _check(a, cat, propose(a, cat, RULES, all_needs=True))


@PROPS
@given(a=assessments(), cat=catalogs())
def test_no_option_step_or_onward_referral_brings_refused_contact_in_larger_catalogs(a, cat):
    _check(a, cat, propose(a, cat, RULES, all_needs=True))


def test_the_pathway_property_sees_steps_and_blocked_options():
    """Guard against a vacuous property: generated worlds have steps, and options blocked by a step."""
    from hypothesis import find

    a = parse_assessment(
        {
            "client_ref": "c-guard",
            "needs": {
                "identity_documents": 4,
                "legal_proceedings": 4,
                "employment": 4,
                "protection": 4,
                "compensation": 4,
            },
            "situation": {
                "location": {"country": "TH", "area": "Songkhla"},
                "languages": ["my"],
                "documents": "lost",
                "no_contact_with": ["police"],
            },
        }
    )

    def interesting(cat) -> bool:
        ol = propose(a, cat, RULES, all_needs=True)
        return any(e.rule == "limits-hold-through-pathways" for e in ol.excluded) and _check(a, cat, ol) > 0

    assert find(pathway_catalogs(), interesting, settings=settings(max_examples=1000, deadline=None, database=None))


def test_asking_for_a_police_report_changes_the_referral_graph():
    """A required document is a step first, so adding one must rebuild the cached graph."""
    from freechoice.catalog import Catalog, Organization
    from freechoice.engine import referral_graph

    org = Organization(id="org-g", name="Graph Org (fictional)", sample=True)
    svc = Service(
        id="svc-g",
        organization_id="org-g",
        name="Passports",
        kinds=["documents.identity"],
        service_areas=[{"country": "TH"}],
    )
    cat = Catalog([org], [svc], sample=True)
    assert referral_graph(cat).service_requires("svc-g") == []
    before = cat.graph_revision
    cat.upsert_service(
        Service.model_validate(
            {**svc.model_dump(), "required_documents": [{"code": "police_report", "document": "report"}]}
        )
    )
    assert cat.graph_revision != before
    assert referral_graph(cat).service_requires("svc-g") == ["documents.police_report"]
