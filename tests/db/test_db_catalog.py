"""In-database retrieval gives the option lists in-memory retrieval gives: the same
options, ids and versions, for generated catalogs and clients, also after changes
(a capacity change, a service taken out, one added). PostgreSQL only; on SQLite it is
refused with the setting and its values named."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from assessment_strategies import PLACES, assessments, catalogs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from freechoice.catalog import Capacity, CatalogError, ValidationFailed
from freechoice.catalog.db import (
    CatalogFollower,
    Database,
    DatabaseCatalog,
    import_catalog,
    load_catalog,
    save_service,
)
from freechoice.catalog.db.tables import CatalogState, OrganizationRow, ServiceRow, ServiceVersion
from freechoice.catalog.generate import generate_services
from freechoice.engine import load_rules, lookups, propose

RULES = load_rules()
PROPS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def pg(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    db.upgrade()
    try:
        yield db
    finally:
        db.dispose()


def _fresh(db: Database, cat) -> None:
    """The database holds exactly ``cat`` (written as a bulk import does)."""
    with db.writing() as s:
        for table in (ServiceVersion, ServiceRow, OrganizationRow, CatalogState):
            s.execute(delete(table))
        import_catalog(s, cat.organizations.values(), list(cat), actor="test")


def _lists(assessment_list, memory, database) -> None:
    for a in assessment_list:
        for all_needs in (False, True):
            want = propose(a, memory, RULES, all_needs=all_needs).model_dump(mode="json")
            got = propose(a, database, RULES, all_needs=all_needs).model_dump(mode="json")
            assert got == want


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@PROPS
@given(
    cat=catalogs(max_size=80),
    clients=st.lists(assessments(), min_size=1, max_size=3),
    data=st.data(),
    cache=st.sampled_from([8, 50_000]),
    records=st.sampled_from([3, 2000]),
)
def test_database_retrieval_gives_the_lists_memory_retrieval_gives(pg, cat, clients, data, cache, records):
    _fresh(pg, cat)
    with pg.session() as s:
        memory, revision = load_catalog(s)  # what a worker with in-memory retrieval holds
        follower = CatalogFollower(s, revision)
    # caches smaller than a list: cards and full records read again
    database = DatabaseCatalog(pg, cache_size=cache, record_cache=records)
    assert database.version == memory.version and len(database) == len(memory)
    _lists(clients, memory, database)

    def follow() -> None:
        with pg.session() as s:
            orgs, services, _rev = follower.changes(s)
        for svc in services:
            memory.upsert_service(svc)
        database.refresh()
        assert database.version == memory.version

    ids = sorted(s.id for s in memory if s.status == "active")
    full = data.draw(st.sampled_from(ids))
    with pg.writing() as s:  # the most frequent partner write
        save_service(s, memory.service(full).model_copy(update={"capacity": Capacity(status="full")}), "t", "capacity")
    follow()
    _lists(clients, memory, database)

    gone = data.draw(st.sampled_from(ids))
    with pg.writing() as s:
        save_service(s, memory.service(gone).model_copy(update={"status": "inactive"}), "t", "deactivate")
    follow()
    assert gone not in database.candidates(memory.service(gone).kinds, PLACES)
    _lists(clients, memory, database)

    _orgs, extra = generate_services(1, seed=data.draw(st.integers(0, 10_000)), places=PLACES)
    added = extra[0].model_copy(update={"id": "added-service", "organization_id": next(iter(memory.organizations))})
    with pg.writing() as s:
        save_service(s, added, "t", "create")
    follow()
    assert "added-service" in database.candidates(added.kinds, PLACES)
    _lists(clients, memory, database)
    assert database.held() <= cache and len(database.cache) <= records  # both caches stay bounded


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_retrieval_columns_answer_the_index_questions(pg):
    orgs, services = generate_services(300, seed=3, places=PLACES)
    from freechoice.catalog import Catalog

    _fresh(pg, Catalog(orgs, services))
    with pg.session() as s:
        memory, _ = load_catalog(s)
    database = DatabaseCatalog(pg)
    kinds = sorted({k for s in services for k in s.kinds})[:6]
    for country, area in [*PLACES, ("TH", None), ("KH", "Nowhere")]:
        assert database.candidates(kinds, [(country, area)]) == memory.candidates(kinds, [(country, area)])
    for country in ("TH", "MM", "LA"):
        assert database.in_country(kinds, country) == memory.in_country(kinds, country)
    assert database.speaking(["km", "lo"]) == memory.speaking(["km", "lo"])
    assert database.interpreting() == memory.interpreting()
    assert database.lifted_edges() == memory.lifted_edges()
    assert database.organization(orgs[0].id) == memory.organization(orgs[0].id)
    assert database.get("no-such-service") is None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_in_database_retrieval_is_refused_on_sqlite_naming_the_setting(pg):
    with pytest.raises(ValidationFailed) as err:
        DatabaseCatalog(pg)
    text = str(err.value)
    assert "FREECHOICE_CATALOG_RETRIEVAL" in text and "memory" in text and "database" in text


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_walks_over_the_catalog_answer_over_every_service_not_the_cache(pg, monkeypatch):
    from freechoice.catalog import Catalog
    from freechoice.catalog.db import db_catalog

    orgs, services = generate_services(120, seed=5, places=PLACES)
    _fresh(pg, Catalog(orgs, services))
    with pg.session() as s:
        memory, _ = load_catalog(s)
    monkeypatch.setattr(db_catalog, "_PAGE", 7)  # pages far smaller than the catalog
    database = DatabaseCatalog(pg, cache_size=8)
    database.candidates(sorted({k for s in services for k in s.kinds}), PLACES)  # fills the cache
    assert database.held() <= 8
    assert [s.id for s in database] == sorted(memory.service(sid).id for sid in {s.id for s in memory})
    assert list(database) == [memory.service(s.id) for s in database]
    assert sorted(c.id for c in database.cards()) == sorted(c.id for c in memory.cards())
    assert list(database.ids()) == sorted(s.id for s in memory)
    assert set(database.held_active_ids()) <= set(memory.active_ids()) and len(database.held_active_ids()) <= 8
    with pytest.raises(CatalogError, match="whole catalog"):
        database.active_ids()
    assert database.get_organization(orgs[0].id) == memory.get_organization(orgs[0].id) is not None
    assert database.get_organization("no-such-organization") is None


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_kept_lifted_edges_follow_changes_and_leave_out_a_service_as_memory_does(pg):
    from freechoice.catalog import Catalog

    orgs, services = generate_services(200, seed=11, places=PLACES)
    _fresh(pg, Catalog(orgs, services))
    with pg.session() as s:
        memory, revision = load_catalog(s)
        follower = CatalogFollower(s, revision)
    database = DatabaseCatalog(pg, cache_size=8)
    lifting = [s.id for s in memory if s.status == "active" and (s.requires or s.eligibility.documents_required)]
    assert lifting
    assert database.lifted_edges() == memory.lifted_edges()
    for sid in lifting[:10]:
        assert database.lifted_edges(without=sid) == memory.lifted_edges(without=sid)
    before = database.lifted_edges()
    # taken out of service: the edges only it added go at the next refresh, not before
    for sid in lifting:
        with pg.writing() as s:
            save_service(s, memory.service(sid).model_copy(update={"status": "inactive"}), "t", "deactivate")
    with pg.session() as s:
        _orgs, changed, _rev = follower.changes(s)
    for svc in changed:
        memory.upsert_service(svc)
    database.refresh()
    assert database.lifted_edges() == memory.lifted_edges() != before


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_candidate_answers_are_kept_once_and_never_stale_after_a_change(pg):
    """With in-database retrieval the per-version look-ups keep no second copy (the
    database catalog keeps its answers itself); a capacity change, a deactivation and an
    added service between two asks each give the answer as the database has it."""
    from freechoice.catalog import Catalog

    orgs, services = generate_services(150, seed=7, places=PLACES)
    _fresh(pg, Catalog(orgs, services))
    with pg.session() as s:
        memory, revision = load_catalog(s)
        follower = CatalogFollower(s, revision)
    database = DatabaseCatalog(pg, cache_size=8)
    kinds = sorted({k for s in services for k in s.kinds})

    def follow() -> None:
        with pg.session() as s:
            _orgs, changed, _rev = follower.changes(s)
        for svc in changed:
            memory.upsert_service(svc)
        database.refresh()

    def same() -> frozenset[str]:
        got = lookups.candidates(database, kinds, PLACES)
        assert got == lookups.candidates(memory, kinds, PLACES)
        assert lookups.in_country(database, kinds, "TH") == lookups.in_country(memory, kinds, "TH")
        return got

    first = same()
    assert database not in lookups._KEPT  # one copy of each answer: the database catalog's
    some = sorted(first)
    with pg.writing() as s:
        save_service(s, memory.service(some[0]).model_copy(update={"capacity": Capacity(status="full")}), "t", "c")
    follow()
    assert same() == first
    with pg.writing() as s:
        save_service(s, memory.service(some[1]).model_copy(update={"status": "inactive"}), "t", "deactivate")
    follow()
    assert some[1] not in same()
    added = services[0].model_copy(update={"id": "added-service", "status": "active"})
    with pg.writing() as s:
        save_service(s, added, "t", "create")
    follow()
    assert "added-service" in same()
    assert database not in lookups._KEPT
