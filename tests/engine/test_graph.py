"""The referral graph: prerequisites, onward referrals, pathways, cycle rejection."""

from __future__ import annotations

import pytest

from freechoice.catalog import Catalog, Organization, ReferralCycleError, Service, ServiceArea
from freechoice.engine import ReferralGraph, check_service, load_rules, parse_assessment, propose

ORG = Organization(id="org-g", name="Graph Test Org", sample=True)
AREA = [ServiceArea(country="TH", area="Songkhla")]


def svc(sid: str, kinds: list[str], **kw) -> Service:
    return Service(id=sid, organization_id="org-g", name=sid, kinds=kinds, service_areas=AREA, languages=["my"], **kw)


def client(**situation) -> object:
    base = {"location": {"country": "TH", "area": "Songkhla"}, "languages": ["my"], "documents": "confiscated"}
    base.update(situation)
    return parse_assessment(
        {"client_ref": "c-g", "needs": {"identity_documents": 4, "compensation": 4}, "situation": base}
    )


def test_work_permit_requires_identity_document_in_the_taxonomy():
    g = ReferralGraph(Catalog([ORG], [svc("wp", ["documents.work_permit"])]))
    assert g.kind_requires("documents.work_permit") == ["documents.identity"]
    assert g.service_requires("wp") == ["documents.identity"]


def test_pathway_puts_deeper_prerequisites_first_and_skips_what_the_client_has():
    cat = Catalog(
        [ORG],
        [
            svc("id-help", ["documents.identity"], requires=["documents.police_report"]),
            svc("police-report", ["documents.police_report"]),
            svc("wp", ["documents.work_permit"]),
        ],
    )
    ol = propose(client(), cat, load_rules())
    wp = next(o for n in ol.needs for o in n.options if o.service_id == "wp")
    assert [s.kind for s in wp.steps] == ["documents.police_report", "documents.identity"]
    assert [s.service_id for s in wp.steps] == ["police-report", "id-help"]
    valid = propose(client(documents="valid"), cat, load_rules())
    wp_valid = next(o for n in valid.needs for o in n.options if o.service_id == "wp")
    assert wp_valid.steps == []


def test_pathway_step_without_a_usable_provider_says_so():
    cat = Catalog([ORG], [svc("wp", ["documents.work_permit"])])
    ol = propose(client(), cat, load_rules())
    wp = ol.needs[0].options[0]
    assert wp.steps[0].kind == "documents.identity"
    assert wp.steps[0].service_id is None
    assert "caseworker" in wp.steps[0].text


def test_onward_referrals_come_after():
    cat = Catalog(
        [ORG],
        [svc("wage", ["legal_aid.wage_claim"], refers_to=["court"]), svc("court", ["legal_aid.labour_court"])],
    )
    ol = propose(client(documents="valid"), cat, load_rules())
    wage = next(o for n in ol.needs for o in n.options if o.service_id == "wage")
    assert [(s.when, s.service_id) for s in wage.steps] == [("after", "court")]


def test_a_requires_cycle_is_rejected_with_the_cycle_named():
    cat = Catalog([ORG], [svc("id-help", ["documents.identity"], requires=["documents.police_report"])])
    looping = svc("police-report", ["documents.police_report"], requires=["documents.identity"])
    with pytest.raises(ReferralCycleError) as err:
        check_service(cat, looping)
    assert set(err.value.cycle) == {"documents.identity", "documents.police_report"}
    assert "documents.identity" in str(err.value) and "->" in str(err.value)


def test_a_refers_to_cycle_is_rejected():
    a = svc("a", ["legal_aid.wage_claim"], refers_to=["b"])
    b = svc("b", ["legal_aid.labour_court"], refers_to=["a"])
    with pytest.raises(ReferralCycleError) as err:
        ReferralGraph(Catalog([ORG], [a, b]))
    assert set(err.value.cycle) == {"service:a", "service:b"}


def test_the_graph_is_built_again_only_when_a_change_can_alter_it():
    from freechoice.catalog import Capacity, load_sample_catalog
    from freechoice.engine import referral_graph

    catalog = load_sample_catalog()
    first = referral_graph(catalog)
    svc = next(s for s in catalog if s.refers_to)
    # capacity and wording leave the graph as it is: the same object serves on
    catalog.upsert_service(
        svc.model_copy(
            update={
                "capacity": Capacity(status="full", until="2027-01-01"),
                "description": "Changed words (fictional).",
            }
        )
    )
    assert referral_graph(catalog) is first
    # what a service refers to is part of the graph: a new one is built
    catalog.upsert_service(svc.model_copy(update={"refers_to": []}))
    second = referral_graph(catalog)
    assert second is not first
    assert not any(v.startswith("service:") for _, v in second.graph.out_edges(f"service:{svc.id}"))
