"""Export then import gives back the same catalog, exactly; the facts HSDS has no field
for travel as attributes of the published freechoice taxonomy."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from strategies import catalogs, services

from freechoice.catalog import Catalog, CatalogError, Organization, load_sample_catalog
from freechoice.catalog.hsds import TAXONOMY_URI, export_catalog, parse_hsds

SAMPLE = load_sample_catalog()
DOC = export_catalog(SAMPLE)


def _through_json(doc: dict) -> dict:
    return json.loads(json.dumps(doc))


def _same(back, catalog: Catalog) -> None:
    assert sorted(back.organizations, key=lambda o: o.id) == sorted(catalog.organizations.values(), key=lambda o: o.id)
    assert sorted(back.services, key=lambda s: s.id) == sorted(catalog, key=lambda s: s.id)
    assert Catalog(back.organizations, back.services).version == catalog.version


def test_the_sample_catalog_comes_back_exactly():
    back = parse_hsds(_through_json(DOC))
    _same(back, SAMPLE)
    assert back.unclassified == [] and back.inferred == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(catalogs())
def test_any_catalog_comes_back_exactly(catalog):
    _same(parse_hsds(_through_json(export_catalog(catalog))), catalog)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(services(organization_ids=["org-x"]))
def test_any_single_service_comes_back_exactly(service):
    # single services also draw `requires` (catalogs leave it out to stay cycle-free)
    catalog = Catalog([Organization(id="org-x", name="X (fictional)")], [service])
    _same(parse_hsds(_through_json(export_catalog(catalog))), catalog)


def test_one_organisations_part_exports_alone_and_comes_back():
    org = "org-open-door-houses"
    doc = export_catalog(SAMPLE, organization_id=org)
    assert [o["name"] for o in doc["organizations"]] == [SAMPLE.organization(org).name]
    back = parse_hsds(_through_json(doc))
    assert sorted(back.services, key=lambda s: s.id) == sorted(SAMPLE.services_of(org), key=lambda s: s.id)
    with pytest.raises(CatalogError, match="no organization 'org-nobody'"):
        export_catalog(SAMPLE, organization_id="org-nobody")


def test_domain_facts_travel_as_attributes_of_the_published_taxonomy():
    taxonomy = DOC["taxonomies"][0]
    assert taxonomy["uri"] == TAXONOMY_URI and taxonomy["name"] == "freechoice"
    terms = {t["id"]: t for t in DOC["taxonomy_terms"]}
    assert all(t["taxonomy_id"] == taxonomy["id"] and t["term_uri"].startswith(TAXONOMY_URI) for t in terms.values())
    desk = next(s for s in DOC["services"] if s["name"] == "Provincial legal assistance desk")
    facts = {terms[a["taxonomy_term_id"]]["name"]: a.get("value") for a in desk["attributes"]}
    assert json.loads(facts["fact:reports_to_authorities"]) == "mandatory"
    assert "legal_aid.wage_claim" in facts  # a service kind is a term without a value
    assert "immigration" in desk["alert"]  # and plain HSDS readers see the warning
    full = next(s for s in DOC["services"] if s["name"] == "Labour court representation (priority cases)")
    assert full["capacities"][0]["unit"]["name"] == "places" and full["capacities"][0]["available"] == 0


def test_contact_details_hsds_would_reject_travel_as_facts_and_come_back():
    org = Organization(id="org-a", name="A (fictional)", email="desk at a dot org", website="a.example.org")
    svc = next(iter(SAMPLE)).model_copy(
        update={"organization_id": "org-a", "email": "ask@a.example.org", "url": "no scheme"}
    )
    doc = export_catalog(Catalog([org], [svc]))
    hsds_org, hsds_svc = doc["organizations"][0], doc["services"][0]
    assert "email" not in hsds_org and "website" not in hsds_org and "url" not in hsds_svc
    assert hsds_svc["email"] == "ask@a.example.org" and hsds_svc["contacts"][0]["email"] == "ask@a.example.org"
    back = parse_hsds(_through_json(doc))
    assert back.organizations == [org] and back.services == [svc]


def test_hsds_ids_are_stable_and_a_directory_uuid_is_kept():
    again = export_catalog(load_sample_catalog())
    assert [s["id"] for s in again["services"]] == [s["id"] for s in DOC["services"]]
    uuid = "2f0e8a52-2f0a-4a55-9d3c-7a1d6a3c5b01"
    svc = next(iter(SAMPLE)).model_copy(update={"id": uuid})
    doc = export_catalog(Catalog(SAMPLE.organizations.values(), [svc]))
    assert doc["services"][0]["id"] == uuid
