"""Partners register and change their own services; the engine follows without a restart."""

from __future__ import annotations

import copy

from api_support import ASSESSMENT, PARTNER_X, PARTNER_Y, every_item

NEW = {
    "id": "svc-test-kitchen",
    "organization_id": PARTNER_X,
    "name": "Test kitchen (fictional)",
    "kinds": ["food.meals"],
    "service_areas": [{"country": "TH", "area": "Songkhla"}],
    "languages": ["my"],
}


def test_register_update_capacity_deactivate_with_etags_and_versions(world):
    c = world.client
    r = c.post("/services", json=NEW, headers=world.as_("partner_x"))
    assert r.status_code == 201, r.text
    assert r.headers["etag"] == '"1"'
    assessment = copy.deepcopy(ASSESSMENT) | {"needs": {"food": 4}}
    offered = lambda: [
        o["service_id"]
        for n in c.post("/option-lists", json=assessment, headers=world.as_("cw_a")).json()["needs"]  # noqa: E731
        for o in n["options"]
    ]
    assert "svc-test-kitchen" in offered()
    got = c.get("/services/svc-test-kitchen", headers=world.as_("partner_x"))
    etag = got.headers["etag"]
    changed = dict(NEW, name="Test kitchen, new name")
    assert c.put("/services/svc-test-kitchen", json=changed, headers=world.as_("partner_x")).status_code == 428
    ok = c.put("/services/svc-test-kitchen", json=changed, headers={**world.as_("partner_x"), "If-Match": etag})
    assert ok.status_code == 200 and ok.headers["etag"] == '"2"'
    stale = c.put("/services/svc-test-kitchen", json=NEW, headers={**world.as_("partner_x"), "If-Match": etag})
    assert stale.status_code == 412 and stale.json()["etag"] == '"2"'
    full = c.patch(
        "/services/svc-test-kitchen/capacity",
        json={"status": "full", "until": "2027-02-01"},
        headers={**world.as_("partner_x"), "If-Match": '"2"'},
    )
    assert full.status_code == 200 and full.json()["capacity"]["status"] == "full"
    assert "svc-test-kitchen" not in offered()
    gone = c.post("/services/svc-test-kitchen/deactivate", headers={**world.as_("partner_x"), "If-Match": '"3"'})
    assert gone.status_code == 200 and gone.json()["status"] == "inactive"
    versions = every_item(c, "/services/svc-test-kitchen/versions", headers=world.as_("partner_x"))
    assert [v["change"] for v in versions] == ["create", "update", "capacity", "deactivate"]
    assert all(v["changed_by"] and v["changed_at"] for v in versions)


def test_partners_touch_only_their_own_services(world):
    c = world.client
    theirs = dict(NEW, id="svc-test-other", organization_id=PARTNER_Y)
    r = c.post("/services", json=theirs, headers=world.as_("partner_x"))
    assert r.status_code == 403 and r.json()["errors"][0]["field"] == "organization_id"
    assert c.get("/services/svc-songkhla-women-shelter", headers=world.as_("partner_x")).status_code == 404
    put = c.put(
        "/services/svc-songkhla-women-shelter",
        json={**NEW, "id": "svc-songkhla-women-shelter"},
        headers={**world.as_("partner_x"), "If-Match": '"1"'},
    )
    assert put.status_code == 404
    mine = every_item(c, "/services", headers=world.as_("partner_x"))
    assert mine and all(s["organization_id"] == PARTNER_X for s in mine)
    assert c.get("/services/svc-songkhla-women-shelter", headers=world.as_("cw_a")).status_code == 200
    assert c.post("/services", json=dict(NEW, id="svc-by-caseworker"), headers=world.as_("cw_a")).status_code == 403


def test_bad_service_input_names_fields_and_a_cycle_is_refused(world):
    c = world.client
    bad = dict(NEW, id="svc-bad", kinds=["food.free_lunch"], colour="red")
    r = c.post("/services", json=bad, headers=world.as_("partner_x"))
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"kinds", "colour"} <= fields
    loop = dict(NEW, id="svc-loop", kinds=["documents.police_report"], requires=["documents.identity"])
    r = c.post("/services", json=loop, headers=world.as_("partner_x"))
    assert r.status_code == 422 and "cycle" in r.json()["detail"]
    assert c.get("/services/svc-loop", headers=world.as_("partner_x")).status_code == 404


def test_an_update_that_would_close_a_cycle_is_refused_and_capacity_changes_still_go_through(world):
    c, partner = world.client, world.as_("partner_x")
    ok = dict(NEW, id="svc-loop-later", kinds=["documents.police_report"])
    r = c.post("/services", json=ok, headers=partner)
    assert r.status_code == 201, r.text
    loop = dict(ok, requires=["documents.identity"])
    r = c.put("/services/svc-loop-later", json=loop, headers={**partner, "If-Match": '"1"'})
    assert r.status_code == 422 and "cycle" in r.json()["detail"]
    r = c.patch("/services/svc-loop-later/capacity", json={"status": "full"}, headers={**partner, "If-Match": '"1"'})
    assert r.status_code == 200 and r.json()["requires"] == [] and r.headers["etag"] == '"2"'


def test_another_worker_sees_catalog_changes_without_a_restart(world, database_url):
    from fastapi.testclient import TestClient

    from freechoice.api import Settings, create_app

    second = create_app(Settings(database_url=database_url, auto_migrate=False, catalog_check_seconds=0))
    with TestClient(second) as other:
        new = dict(NEW, id="svc-test-worker", name="Seen by the other worker")
        assert world.client.post("/services", json=new, headers=world.as_("partner_x")).status_code == 201
        body = copy.deepcopy(ASSESSMENT) | {"needs": {"food": 4}}
        ol = other.post("/option-lists", json=body, headers=world.as_("cw_b")).json()
        assert "svc-test-worker" in [o["service_id"] for n in ol["needs"] for o in n["options"]]


def test_listing_services_pages_through_filters(world):
    c = world.client
    admin = world.as_("admin")
    everything = every_item(c, "/services?limit=500", headers=admin)
    assert len(everything) > 50 and [s["id"] for s in everything] == sorted(s["id"] for s in everything)
    first = c.get("/services?limit=7", headers=admin)
    second = c.get(first.json()["next"], headers=admin).json()
    assert [s["id"] for s in first.json()["items"] + second["items"]] == [s["id"] for s in everything[:14]]
    assert first.headers["link"] == f'<{first.json()["next"]}>; rel="next"'
    # small pages, filters kept in every next link: the same services, in order, each once
    kind = "legal_aid.wage_claim"
    with_kind = [s["id"] for s in everything if kind in s["kinds"]]
    assert len(with_kind) >= 3
    assert [s["id"] for s in every_item(c, f"/services?kind={kind}&limit=2", headers=admin)] == with_kind
    assert [s["id"] for s in every_item(c, "/services?limit=3&status=active", headers=admin)] == [
        s["id"] for s in everything if s["status"] == "active"
    ]
    own = every_item(c, "/services?limit=5", headers=world.as_("partner_x"))
    assert own and all(s["organization_id"] == PARTNER_X for s in own)
    assert c.get("/services?kind=no.such_kind", headers=admin).json() == {"items": [], "next": None}
    bad = c.get("/services?limit=0", headers=admin)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "query.limit"
    assert c.get("/services?limit=501", headers=admin).status_code == 422
