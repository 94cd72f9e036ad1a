"""HSDS over HTTP: partners import their own directory; services read like the HSDS API."""

from __future__ import annotations

import copy

from api_support import PARTNER_X, PARTNER_Y
from freechoice.catalog import Catalog, Organization, Service, ServiceArea
from freechoice.catalog.hsds import export_catalog, hsds_id


def _doc(org_id: str, service_id: str) -> dict:
    org = Organization(id=org_id, name="Imported org (fictional)")
    svc = Service(id=service_id, organization_id=org_id, name="Imported kitchen (fictional)", kinds=["food.meals"],
                  service_areas=[ServiceArea(country="TH", area="Trang")], languages=["my"])
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


def test_invalid_hsds_is_rejected_whole_with_every_error(world):
    bad = _doc(PARTNER_X, "svc-never")
    bad["services"][0]["id"] = "not-a-uuid"
    bad["services"][0]["status"] = "maybe"
    r = world.client.post("/hsds/import", json=bad, headers=world.as_("partner_x"))
    assert r.status_code == 422
    fields = [e["field"] for e in r.json()["errors"]]
    assert "service[not-a-uuid].id" in fields and "service[not-a-uuid].status" in fields
    assert world.client.get("/services/svc-never", headers=world.as_("partner_x")).status_code == 404


def test_services_are_paged_like_the_hsds_api(world):
    c = world.client
    page = c.get("/hsds/services", params={"per_page": 10, "page": 2}, headers=world.as_("cw_a")).json()
    assert {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"} <= set(page)
    assert page["page_number"] == 2 and page["size"] == 10 and not page["first_page"]
    assert page["total_pages"] == -(-page["total_items"] // 10)
    one = page["contents"][0]
    by_uuid = c.get(f"/hsds/services/{one['id']}", headers=world.as_("cw_a")).json()
    assert by_uuid == one
    mine = c.get("/hsds/services", params={"per_page": 500}, headers=world.as_("partner_y")).json()
    assert all(s["organization_id"] == hsds_id("organization", PARTNER_Y) for s in mine["contents"])
    other = copy.deepcopy(one)
    if other["organization_id"] != hsds_id("organization", PARTNER_Y):
        assert c.get(f"/hsds/services/{other['id']}", headers=world.as_("partner_y")).status_code == 404
