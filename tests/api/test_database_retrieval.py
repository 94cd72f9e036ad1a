"""FREECHOICE_CATALOG_RETRIEVAL=database through HTTP: a worker that holds no catalog
(candidates by SQL on PostgreSQL, records through its cache) answers with the option
lists an in-memory worker gives on the same database, also after a partner's capacity
change; `/readyz` says which retrieval runs. On SQLite the setting is refused."""

from __future__ import annotations

import copy

import pytest
from api_support import ASSESSMENT, PARTNER_X
from fastapi.testclient import TestClient

from freechoice.api import Settings, create_app
from freechoice.catalog import ValidationFailed

_SAME = ("catalog_version", "rules_version", "needs", "excluded", "sample_data")
# (the stored list's id is minted per request; the engine-level property compares ids: tests/db/test_db_catalog.py)


@pytest.fixture(scope="module")
def database_worker(world, database_url):
    app = create_app(
        Settings(
            database_url=database_url,
            auto_migrate=False,
            catalog_check_seconds=0,
            catalog_retrieval="database",
            catalog_cache_size=40,  # smaller than the sample catalog: records are read again
            webhook_delivery=False,
        )
    )
    with TestClient(app) as client:
        yield client


def _list(client, world, ref: str) -> dict:
    body = copy.deepcopy(ASSESSMENT)
    body["client_ref"] = ref
    r = client.post("/option-lists", json=body, headers=world.as_("cw_a"))
    assert r.status_code == 201, r.text
    return {k: v for k, v in r.json().items() if k in _SAME}


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_database_retrieval_worker_offers_what_a_memory_worker_offers(world, database_worker):
    ready = database_worker.get("/readyz").json()
    assert ready["catalog_retrieval"] == "database"
    assert world.client.get("/readyz").json()["catalog_retrieval"] == "memory"
    assert ready["catalog_version"] == world.client.get("/readyz").json()["catalog_version"]

    assert _list(database_worker, world, "c-db-1") == _list(world.client, world, "c-db-1")

    # a partner's capacity change, written through the memory worker: both see it
    comp = next(n for n in _list(world.client, world, "c-db-2")["needs"] if n["need"] == "compensation")
    sid = next(o["service_id"] for o in comp["options"] if o["provider_id"] == PARTNER_X)
    partner = world.as_("partner_x")
    etag = world.client.get(f"/services/{sid}", headers=partner).headers["etag"]
    r = world.client.patch(f"/services/{sid}/capacity", json={"status": "full"}, headers={**partner, "If-Match": etag})
    assert r.status_code == 200, r.text
    after_db = _list(database_worker, world, "c-db-3")
    after_memory = _list(world.client, world, "c-db-3")
    assert after_db == after_memory
    assert after_db["catalog_version"] != ready["catalog_version"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_database_retrieval_on_sqlite_is_refused_naming_the_setting(database_url):
    with pytest.raises(ValidationFailed) as err:
        app = create_app(Settings(database_url=database_url, catalog_retrieval="database"))
        with TestClient(app):
            pass
    assert "FREECHOICE_CATALOG_RETRIEVAL" in str(err.value) and "memory" in str(err.value)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_hsds_reads_on_a_database_worker_list_the_whole_catalog_not_its_cache(world, database_worker):
    """GET /hsds/services on a worker caching 40 services lists every service, as an
    in-memory worker does (read from the database a page at a time), and finds one by
    its HSDS uuid."""
    headers = world.as_("cw_a")
    database_worker.get("/readyz")
    want = world.client.get("/hsds/services?per_page=500", headers=headers).json()
    got = database_worker.get("/hsds/services?per_page=500", headers=headers).json()
    assert got["total_items"] == want["total_items"] > 40
    assert [s["id"] for s in got["contents"]] == [s["id"] for s in want["contents"]]
    second = database_worker.get("/hsds/services?per_page=7&page=2", headers=headers).json()
    assert [s["id"] for s in second["contents"]] == [s["id"] for s in want["contents"][7:14]]
    from freechoice.catalog import load_sample_catalog
    from freechoice.catalog.hsds.vocabulary import kind_term

    kind = next(iter(load_sample_catalog())).kinds[0]
    word = want["contents"][3]["name"].split()[0]
    for query, who in [
        ("per_page=7&page=3", "cw_a"),
        (f"taxonomy_term_id={kind_term(kind)}", "cw_a"),
        (f"organization_id={PARTNER_X}", "cw_a"),
        (f"search={word}", "cw_a"),
        ("search=fictional&per_page=5&page=2", "cw_a"),
        ("modified_after=2000-01-01T00:00:00Z&per_page=9", "cw_a"),
        ("taxonomy_id=other", "cw_a"),
        ("per_page=500", "partner_x"),
    ]:
        asked = f"/hsds/services?{query}"
        memory = world.client.get(asked, headers=world.as_(who)).json()
        assert database_worker.get(asked, headers=world.as_(who)).json() == memory, query
        assert memory["size"] or query in ("taxonomy_id=other", "search=fictional&per_page=5&page=2"), query
    last = want["contents"][-1]["id"]
    one = database_worker.get(f"/hsds/services/{last}", headers=headers)
    assert one.status_code == 200, one.text
    assert one.json()["id"] == last


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_hsds_import_on_a_database_worker_is_checked_against_services_it_does_not_cache(world, database_worker):
    """A referral cycle closed through a service the database worker has never read is
    refused there as on an in-memory worker (the check walks the whole catalog)."""
    from freechoice.catalog import Catalog, Organization, Service, ServiceArea
    from freechoice.catalog.hsds import export_catalog

    org = Organization(id=PARTNER_X, name="X (fictional)")
    first = Service(
        id="svc-uncached-a",
        organization_id=PARTNER_X,
        name="Loop A (fictional)",
        kinds=["food.meals"],
        service_areas=[ServiceArea(country="TH")],
        refers_to=["svc-uncached-b"],
    )
    partner = world.as_("partner_x")
    r = world.client.post("/hsds/import", json=export_catalog(Catalog([org], [first])), headers=partner)
    assert r.status_code == 200, r.text
    closing = first.model_copy(update={"id": "svc-uncached-b", "name": "Loop B (fictional)", "refers_to": [first.id]})
    r = database_worker.post("/hsds/import", json=export_catalog(Catalog([org], [closing])), headers=partner)
    assert r.status_code == 422 and "cycle" in r.json()["detail"], r.text
    assert database_worker.get("/services/svc-uncached-b", headers=partner).status_code == 404
