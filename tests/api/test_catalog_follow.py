"""Another worker on the same database follows catalog changes without a reload: on
PostgreSQL the change arrives by LISTEN/NOTIFY (no request to the other worker, its poll
turned off), on SQLite by the poll; either way only the changed service is applied."""

from __future__ import annotations

import time

import pytest
from api_support import PARTNER_X
from fastapi.testclient import TestClient

from freechoice.api import Settings, create_app
from freechoice.catalog.db import load_catalog

NEW = {
    "id": "svc-follow-kitchen",
    "organization_id": PARTNER_X,
    "name": "Followed kitchen (fictional)",
    "kinds": ["food.meals"],
    "service_areas": [{"country": "TH", "area": "Songkhla"}],
    "languages": ["my"],
}


def _until(condition, bound: float = 30.0) -> bool:
    """Poll ``condition`` until it holds or ``bound`` seconds pass (a generous bound, not a timing)."""
    end = time.monotonic() + bound
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.fixture(scope="module")
def other(world, database_url):
    pg = database_url.startswith("postgresql")
    # On PostgreSQL the poll is as good as off: only the NOTIFY can bring the change.
    app = create_app(Settings(database_url=database_url, auto_migrate=False, catalog_check_seconds=3600 if pg else 0))
    with TestClient(app) as client:
        state = app.state.freechoice
        if pg:
            assert state.listener is not None and state.listener.connected.wait(30)
        yield client, state


def test_another_worker_follows_create_capacity_and_deactivation(world, other, database_url):
    client, state = other
    pg = database_url.startswith("postgresql")
    seen = (lambda: state.catalog) if pg else (lambda: state.current_catalog())
    c, partner = world.client, world.as_("partner_x")
    before = state.catalog.serial(next(iter(state.catalog)).id)

    assert c.post("/services", json=NEW, headers=partner).status_code == 201
    assert _until(lambda: seen().get(NEW["id"]) is not None)

    etag = c.get(f"/services/{NEW['id']}", headers=partner).headers["etag"]
    r = c.patch(f"/services/{NEW['id']}/capacity", json={"status": "full"}, headers={**partner, "If-Match": etag})
    assert r.status_code == 200, r.text
    assert _until(lambda: seen().service(NEW["id"]).capacity.status == "full")

    etag = r.headers["etag"]
    r = c.post(f"/services/{NEW['id']}/deactivate", headers={**partner, "If-Match": etag})
    assert r.status_code == 200, r.text
    assert _until(lambda: seen().service(NEW["id"]).status == "inactive")
    assert NEW["id"] not in seen().candidates(["food.meals"], [("TH", "Songkhla")])

    # applied one service at a time: the other services are the very objects loaded at start
    assert state.catalog.serial(next(iter(state.catalog)).id) == before
    # and both workers hold the same catalog
    assert seen().version == world.client.app.state.freechoice.current_catalog(force=True).version


def test_the_listener_reconnects_and_catches_up_after_losing_its_connection(world, other, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    from sqlalchemy import text

    client, state = other
    listener = state.listener
    lost = listener.backend_pid
    with state.db.engine.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": lost})
    c, partner = world.client, world.as_("partner_x")
    # written while the listener may be away: caught up when it connects again
    body = dict(NEW, id="svc-follow-after-loss", name="Written while the listener was away (fictional)")
    assert c.post("/services", json=body, headers=partner).status_code == 201
    assert _until(lambda: listener.backend_pid not in (None, lost) and listener.connected.is_set())
    assert _until(lambda: state.catalog.get(body["id"]) is not None)


def test_another_worker_follows_an_organisation_change(world, other, database_url):
    from freechoice.catalog.db import save_organization

    client, state = other
    pg = database_url.startswith("postgresql")
    seen = (lambda: state.catalog) if pg else (lambda: state.current_catalog())
    writer = world.client.app.state.freechoice
    org = writer.current_catalog(force=True).organization(PARTNER_X)
    renamed = org.model_copy(update={"name": "Partner X, renamed (fictional)"})
    with writer.db.writing() as s:  # an organisation write, then a service write: both followed
        save_organization(s, renamed, "test")
    body = dict(NEW, id="svc-follow-with-org", name="Written beside an organisation change (fictional)")
    assert world.client.post("/services", json=body, headers=world.as_("partner_x")).status_code == 201
    assert _until(lambda: seen().get(body["id"]) is not None)
    assert _until(lambda: seen().organization(PARTNER_X).name == renamed.name)


def test_a_workers_own_capacity_change_is_in_its_catalog_when_answered_with_what_came_before(world, other):
    """The writer applies its own change without reading it back; a change another worker
    made just before is read as well, so nothing is skipped."""
    client, _state = other
    c, partner = world.client, world.as_("partner_x")
    writer = c.app.state.freechoice
    body = dict(NEW, id="svc-follow-own-write", name="Changed by its own worker (fictional)")
    assert c.post("/services", json=body, headers=partner).status_code == 201
    etag = c.get(f"/services/{body['id']}", headers=partner).headers["etag"]
    # another worker writes first ...
    between = dict(NEW, id="svc-follow-between", name="Written by the other worker meanwhile (fictional)")
    assert client.post("/services", json=between, headers=partner).status_code == 201
    # ... then this one changes capacity: both are in its catalog the moment it answers
    r = c.patch(f"/services/{body['id']}/capacity", json={"status": "waitlist"}, headers={**partner, "If-Match": etag})
    assert r.status_code == 200, r.text
    assert writer.catalog.service(body["id"]).capacity.status == "waitlist"
    assert writer.catalog.get(between["id"]) is not None
    # and again with nothing between: the catalog has it at once, and equals a fresh read
    r = c.patch(
        f"/services/{body['id']}/capacity",
        json={"status": "full"},
        headers={**partner, "If-Match": r.headers["etag"]},
    )
    assert writer.catalog.service(body["id"]).capacity.status == "full"
    with writer.db.session() as s:
        fresh, _revision = load_catalog(s)
    assert writer.catalog.version == fresh.version


def test_another_worker_stops_offering_a_deactivated_organisations_services_and_offers_them_again(
    world, other, database_url
):
    _client, state = other
    pg = database_url.startswith("postgresql")
    seen = (lambda: state.catalog) if pg else (lambda: state.current_catalog())
    c, admin = world.client, world.as_("admin")
    here = [("TH", "Songkhla")]
    kinds = sorted({k for s in seen().services_of(PARTNER_X) if s.status == "active" for k in s.kinds})
    theirs = {s.id for s in seen().services_of(PARTNER_X)}
    assert seen().candidates(kinds, here) & theirs
    assert c.post(f"/organizations/{PARTNER_X}/deactivate", headers=admin).status_code == 200
    assert _until(lambda: not seen().candidates(kinds, here) & theirs)
    assert c.post(f"/organizations/{PARTNER_X}/activate", headers=admin).status_code == 200
    assert _until(lambda: seen().candidates(kinds, here) & theirs)
