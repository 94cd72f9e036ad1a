"""HSDS over HTTP: partners import their own directory; services and the freechoice
taxonomy read like the HSDS 3.1 API (paged)."""

from __future__ import annotations

import json
from pathlib import Path

from api_support import PARTNER_X, PARTNER_Y

from freechoice.catalog import Catalog, Organization, Service, ServiceArea
from freechoice.catalog.hsds import TAXONOMY_URI, export_catalog, record_uuid
from freechoice.catalog.hsds.vocabulary import TAXONOMY_ID, kind_term

OTHER = json.loads((Path(__file__).resolve().parents[1] / "hsds" / "other_directory.json").read_text(encoding="utf-8"))
PAGE_KEYS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}


def _doc(org_id: str, service_id: str, **changes) -> dict:
    org = Organization(id=org_id, name="Imported org (fictional)")
    svc = Service(
        id=service_id,
        organization_id=org_id,
        name="Imported kitchen (fictional)",
        kinds=["food.meals"],
        service_areas=[ServiceArea(country="TH", area="Trang")],
        languages=["my"],
    ).model_copy(update=changes)
    return export_catalog(Catalog([org], [svc]))


def test_partner_imports_own_directory_only_and_reimport_changes_nothing(world):
    c = world.client
    mine = _doc(PARTNER_X, "svc-imported-kitchen")
    r = c.post("/hsds/import", json=mine, headers=world.as_("partner_x"))
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 1
    again = c.post("/hsds/import", json=mine, headers=world.as_("partner_x")).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1)
    theirs = _doc(PARTNER_Y, "svc-sneaky")
    r = c.post("/hsds/import", json=theirs, headers=world.as_("partner_x"))
    assert r.status_code == 403
    assert c.get("/services/svc-sneaky", headers=world.as_("admin")).status_code == 404
    assert c.post("/hsds/import", json=theirs, headers=world.as_("admin")).json()["created"] == 1
    assert c.post("/hsds/import", json=mine, headers=world.as_("cw_a")).status_code == 403


def test_a_partner_cannot_take_over_another_organisations_service_by_its_id(world):
    c = world.client
    theirs = c.get("/hsds/services", params={"per_page": 1}, headers=world.as_("partner_y")).json()["contents"][0]
    before = c.get(f"/hsds/services/{theirs['id']}", headers=world.as_("admin")).json()
    fc_id = next(a["value"] for a in before["attributes"] if a["label"] == "freechoice-id")
    grab = _doc(PARTNER_X, fc_id, name="Now ours")
    r = c.post("/hsds/import", json=grab, headers=world.as_("partner_x"))
    assert r.status_code == 403 and fc_id in r.json()["errors"][0]["message"]
    assert c.get(f"/hsds/services/{theirs['id']}", headers=world.as_("admin")).json() == before


def test_a_partner_registers_a_directory_from_another_system_as_its_own(world):
    c = world.client
    r = c.post(
        "/hsds/import", json=OTHER["services"], params={"organization_id": PARTNER_X}, headers=world.as_("partner_x")
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["created"] == 5 and body["organizations"] == 0
    assert sorted(u["name"] for u in body["unclassified"]) == ["Community garden", "Migrant and parent support group"]
    garden_id = next(u["id"] for u in body["unclassified"] if u["name"] == "Community garden")
    garden = c.get(f"/services/{garden_id}", headers=world.as_("partner_x")).json()
    assert garden["status"] == "inactive" and garden["organization_id"] == PARTNER_X
    # the directory's own HSDS ids come back out unchanged
    assert c.get(f"/hsds/services/{garden_id}", headers=world.as_("partner_x")).json()["id"] == garden_id
    elsewhere = c.post(
        "/hsds/import", json=OTHER["services"], params={"organization_id": PARTNER_Y}, headers=world.as_("partner_x")
    )
    assert elsewhere.status_code == 403


def test_invalid_hsds_is_rejected_whole_with_every_error(world):
    bad = _doc(PARTNER_X, "svc-never")
    bad["services"][0]["id"] = "not-a-uuid"
    bad["services"][0]["status"] = "maybe"
    r = world.client.post("/hsds/import", json=bad, headers=world.as_("partner_x"))
    assert r.status_code == 422
    errors = {e["field"]: e for e in r.json()["errors"]}
    assert "service[not-a-uuid].id" in errors
    assert errors["service[not-a-uuid].status"]["allowed"] == ["active", "inactive", "defunct", "temporarily closed"]
    assert world.client.get("/services/svc-never", headers=world.as_("partner_x")).status_code == 404


def test_a_referral_cycle_is_refused_and_nothing_is_written(world):
    org = Organization(id=PARTNER_X, name="X (fictional)")
    base = Service(
        id="svc-loop-a",
        organization_id=PARTNER_X,
        name="Loop A (fictional)",
        kinds=["food.meals"],
        service_areas=[ServiceArea(country="TH")],
        refers_to=["svc-loop-b"],
    )
    other = base.model_copy(update={"id": "svc-loop-b", "name": "Loop B (fictional)", "refers_to": ["svc-loop-a"]})
    r = world.client.post(
        "/hsds/import", json=export_catalog(Catalog([org], [base, other])), headers=world.as_("partner_x")
    )
    assert r.status_code == 422 and "cycle" in r.json()["detail"]
    assert world.client.get("/services/svc-loop-a", headers=world.as_("partner_x")).status_code == 404


def test_services_are_paged_like_the_hsds_api(world):
    c = world.client
    page = c.get("/hsds/services", params={"per_page": 10, "page": 2}, headers=world.as_("cw_a")).json()
    assert set(page) == PAGE_KEYS
    assert page["page_number"] == 2 and page["size"] == 10 and not page["first_page"] and not page["empty"]
    assert page["total_pages"] == -(-page["total_items"] // 10)
    listed = page["contents"][0]
    assert all(not isinstance(v, (list, dict)) for v in listed.values())  # one-to-one fields only
    full = c.get("/hsds/services", params={"per_page": 10, "page": 2, "full": True}, headers=world.as_("cw_a")).json()
    one = c.get(f"/hsds/services/{listed['id']}", headers=world.as_("cw_a")).json()
    assert one["organization"]["id"] == one["organization_id"]  # fully nested
    assert {k: v for k, v in one.items() if k != "organization"} == full["contents"][0]
    assert one == c.get(f"/hsds/services/{one['attributes'][0]['value']}", headers=world.as_("cw_a")).json()
    last = c.get(
        "/hsds/services", params={"per_page": 10, "page": page["total_pages"]}, headers=world.as_("cw_a")
    ).json()
    assert last["last_page"] and last["size"] >= 1
    beyond = c.get(
        "/hsds/services", params={"per_page": 10, "page": page["total_pages"] + 1}, headers=world.as_("cw_a")
    ).json()
    assert beyond["empty"] and beyond["contents"] == []


def test_partners_read_their_own_services_only(world):
    c = world.client
    mine = c.get("/hsds/services", params={"per_page": 500}, headers=world.as_("partner_y")).json()
    assert mine["total_items"] > 0
    assert all(s["organization_id"] == record_uuid("organization", PARTNER_Y) for s in mine["contents"])
    others = c.get(
        "/hsds/services", params={"organization_id": PARTNER_X, "per_page": 1}, headers=world.as_("cw_a")
    ).json()
    assert c.get(f"/hsds/services/{others['contents'][0]['id']}", headers=world.as_("partner_y")).status_code == 404


def test_services_filter_like_the_hsds_api(world):
    c = world.client
    cw = world.as_("cw_a")

    def ids(**params) -> set[str]:
        return {
            s["id"] for s in c.get("/hsds/services", params={"per_page": 500, **params}, headers=cw).json()["contents"]
        }

    everything = ids()
    by_org = ids(organization_id=record_uuid("organization", PARTNER_Y))
    assert by_org and by_org == ids(organization_id=PARTNER_Y) and by_org < everything
    meals = ids(taxonomy_term_id=kind_term("food.meals"), full=True)
    assert meals and meals < everything
    for sid in list(meals)[:3]:
        one = c.get(f"/hsds/services/{sid}", headers=cw).json()
        assert any(a["taxonomy_term_id"] == kind_term("food.meals") for a in one["attributes"])
    assert ids(search="KITCHEN imported") >= {record_uuid("service", "svc-imported-kitchen")}
    assert ids(taxonomy_id=TAXONOMY_ID) == everything and ids(taxonomy_id=record_uuid("taxonomy", "other")) == set()
    assert (
        ids(modified_after="2000-01-01T00:00:00Z") == everything and ids(modified_after="2999-01-01T00:00:00Z") == set()
    )


def test_about_and_the_published_taxonomy(world):
    c = world.client
    cw = world.as_("cw_a")
    about = c.get("/hsds", headers=cw).json()
    assert about["version"] == "3.1" and about["openapi_url"].endswith("/openapi.json")
    taxonomies = c.get("/hsds/taxonomies", headers=cw).json()
    assert set(taxonomies) == PAGE_KEYS and taxonomies["contents"][0]["uri"] == TAXONOMY_URI
    assert c.get(f"/hsds/taxonomies/{TAXONOMY_ID}", headers=cw).json()["name"] == "freechoice"
    terms = c.get("/hsds/taxonomy_terms", params={"per_page": 500, "taxonomy_id": TAXONOMY_ID}, headers=cw).json()
    names = {t["name"] for t in terms["contents"]}
    assert {"food.meals", "fact:reports_to_authorities", "freechoice-id"} <= names
    term = c.get(f"/hsds/taxonomy_terms/{kind_term('food.meals')}", headers=cw).json()
    assert term["term_uri"] == f"{TAXONOMY_URI}/kind/food.meals"
    assert c.get("/hsds/taxonomy_terms", params={"search": "hospital"}, headers=cw).json()["total_items"] == 1
    assert c.get(f"/hsds/taxonomy_terms/{TAXONOMY_ID}", headers=cw).status_code == 404
    assert c.get("/hsds/services", headers={}).status_code == 401


def test_the_profile_is_published_and_matches_the_export(world):
    c = world.client
    r = c.get("/hsds/profile", headers=world.as_("cw_a"))
    assert r.status_code == 200
    body = r.json()
    assert body["attributes"]["fact:reports_to_authorities"]["schema"]["enum"] == ["never", "with_consent", "mandatory"]
    assert body == export_catalog(Catalog([], []))["profile"]


def test_an_impossible_latitude_is_refused_or_with_lenient_left_out_and_reported(world):
    c = world.client
    doc = json.loads(json.dumps(OTHER))
    wages = next(s for s in doc["services"] if s["name"] == "Unpaid wages legal clinic")
    wages["service_at_locations"][0]["location"]["latitude"] = 100
    r = c.post("/hsds/import", json=doc, headers=world.as_("admin"))
    assert r.status_code == 422 and "latitude" in r.text
    r = c.post("/hsds/import", json=doc, params={"lenient": "true"}, headers=world.as_("admin"))
    assert r.status_code == 200, r.text
    assert [(d["record"], d["field"]) for d in r.json()["dropped"]] == [
        (f"service[{wages['id']}]", "service_at_locations.0.location.latitude")
    ]
    stored = c.get(f"/services/{wages['id']}", headers=world.as_("admin")).json()
    assert stored["location"]["latitude"] is None and stored["location"]["city"] == "Hat Yai"


def test_a_directory_sync_deactivates_what_it_no_longer_lists_and_says_so(world):
    c = world.client
    doc = json.loads(json.dumps(OTHER))
    r = c.post("/hsds/import", json=doc, params={"directory": "other-dir"}, headers=world.as_("admin"))
    assert r.status_code == 200, r.text
    first = r.json()
    assert first["created"] + first["updated"] + first["unchanged"] == 5 and first["deactivated"] == []
    gone = doc["services"].pop(0)
    r = c.post("/hsds/import", json=doc, params={"directory": "other-dir"}, headers=world.as_("admin"))
    body = r.json()
    assert [d["id"] for d in body["deactivated"]] == [gone["id"]] and body["updated"] == 1
    assert c.get(f"/services/{gone['id']}", headers=world.as_("admin")).json()["status"] == "inactive"
    r = c.post(
        "/hsds/import", json=doc, params={"directory": "other-dir", "complete": "false"}, headers=world.as_("admin")
    )
    assert r.json()["deactivated"] == [] and r.json()["updated"] == 0
    assert (
        c.post("/hsds/import", json=doc, params={"directory": "bad name!"}, headers=world.as_("admin")).status_code
        == 422
    )
