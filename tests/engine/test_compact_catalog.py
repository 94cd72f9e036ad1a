"""A worker keeps only each service's card in memory and reads full records from the
database through a bounded cache: it answers exactly as a catalog holding every full
record does, its cache never outgrows its size, and a changed service is shown as it
is now. A snapshot of the compiled catalog made at an older revision, plus the changes
since, gives the catalog a cold load gives; a damaged or foreign snapshot is ignored
with a log line."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import logging
import pickle
from pathlib import Path

import orjson
import pytest
from assessment_strategies import PLACES, assessments, catalogs, pathway_catalogs
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from freechoice.api import Settings, create_app
from freechoice.catalog import NEED_IDS, Capacity, Catalog, Location, Schedule, Service, ServiceCard
from freechoice.catalog.db import CatalogFollower, Database, import_catalog, load_catalog, save_service, service_source
from freechoice.catalog.db.tables import Base
from freechoice.catalog.generate import generate_services
from freechoice.engine import compile_rules, load_rules, propose
from freechoice.engine.assessment import parse_assessment
from freechoice.engine.snapshot import SNAPSHOT_FORMAT
from freechoice.rules import default_pack

RULES = load_rules()
_files = itertools.count()


def _enriched(catalog: Catalog, draw: st.DrawFn) -> Catalog:
    """The catalog with what only a full record holds: descriptions, translations,
    addresses, schedules, contacts."""
    services = []
    for svc in catalog:
        update: dict[str, object] = {"description": f"What {svc.name} does (fictional).", "phone": "+66 2 000 0000"}
        if draw(st.booleans()):
            update["translations"] = {"th": {"name": f"บริการ {svc.id}", "application_process": "โทรมา"}}
        if svc.location is not None and draw(st.booleans()):
            loc = svc.location
            update["location"] = Location(
                country=loc.country, area=loc.area, city="Town", address_1=f"{svc.id} Road", latitude=7.1
            )
        if draw(st.booleans()):
            update["schedules"] = [Schedule(byday="MO,TU", opens_at=dt.time(9), closes_at=dt.time(17))]
        services.append(Service.model_validate({**svc.model_dump(), **update}))
    return Catalog(catalog.organizations.values(), services, sample=True)


def _in_database(tmp_path, catalog: Catalog, cache_size: int) -> tuple[Catalog, Database]:
    db = Database(f"sqlite:///{tmp_path / f'compact-{next(_files)}.db'}")
    Base.metadata.create_all(db.engine)
    with db.writing() as s:
        import_catalog(s, catalog.organizations.values(), list(catalog), actor="test")
    with db.session() as s:
        loaded, _rev = load_catalog(s, sample=catalog.sample, source=service_source(db.session), cache_size=cache_size)
    return loaded, db


def _lists(catalog: Catalog, clients, limit: int | None) -> list[dict]:
    return [
        propose(a, catalog, RULES, limit=limit, created_at="2026-01-01T00:00:00Z").model_dump(mode="json")
        for a in clients
    ]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.data(),
    kind=st.sampled_from(["generated", "pathways"]),
    clients=st.lists(assessments(), min_size=1, max_size=3),
    limit=st.sampled_from([None, 1, 3]),
    cache_size=st.sampled_from([0, 2, 50]),
)
def test_a_card_backed_catalog_read_from_the_database_gives_the_lists_a_full_one_gives(
    tmp_path, data, kind, clients, limit, cache_size
):
    plain = data.draw(catalogs(max_size=60) if kind == "generated" else pathway_catalogs())
    plain = _enriched(plain, data.draw)
    compact, db = _in_database(tmp_path, plain, cache_size)
    try:
        assert compact.compact and not plain.compact
        assert compact.version == plain.version
        assert _lists(compact, clients, limit) == _lists(plain, clients, limit)  # content and all
        assert len(compact.cache) <= cache_size
        # the full-record reading API still answers with full records, from the database
        assert compact.to_data() == plain.to_data()
        some = next(iter(plain))
        assert compact.services_of(some.organization_id) == plain.services_of(some.organization_id)
        assert compact.service(some.id) == some
    finally:
        db.dispose()


def test_a_rule_text_reads_what_a_card_does_not_hold_from_the_full_record(tmp_path):
    pack = default_pack()
    where = type(pack.rules[0]).model_validate(
        {
            "id": "test-where",
            "description": "Says where the service is (test).",
            "when": {"service": {"remote": False}},
            "then": {"caution": "At {service.location.city}: {service.description}"},
        }
    )
    rules = compile_rules(pack.model_copy(update={"rules": [*pack.rules, where]}))
    orgs, services = generate_services(120, seed=3, places=PLACES)
    plain = Catalog(
        orgs,
        [
            s.model_copy(
                update={
                    "description": "Open late",
                    "location": Location(country=s.location.country, area=s.location.area, city="Mahachai"),
                }
            )
            if s.location is not None
            else s
            for s in services
        ],
    )
    compact, db = _in_database(tmp_path, plain, cache_size=5)
    try:
        client = parse_assessment(
            {
                "client_ref": "c-1",
                "needs": {n: 4 for n in NEED_IDS[:10]},
                "situation": {"location": {"country": "TH", "area": "Songkhla"}, "languages": ["my"]},
            }
        )
        a = propose(client, plain, rules, created_at="2026-01-01T00:00:00Z").model_dump(mode="json")
        b = propose(client, compact, rules, created_at="2026-01-01T00:00:00Z").model_dump(mode="json")
        assert a == b
        assert "At Mahachai: Open late" in str(a)
    finally:
        db.dispose()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(0, 6), reads=st.lists(st.integers(0, 39), max_size=60))
def test_the_cache_never_holds_more_than_its_size(size, reads):
    orgs, services = generate_services(40, seed=1, places=PLACES)
    held = {s.id: s for s in services}
    asked: list[list[str]] = []

    def source(ids: list[str]) -> dict[str, Service]:
        asked.append(ids)
        return {i: held[i] for i in ids if i in held}

    catalog = Catalog(orgs, source=source, cache_size=size)
    for svc in services:
        catalog.upsert_service(svc)
        assert len(catalog.cache) <= size
    for i in reads:
        assert catalog.service(services[i].id) == services[i]
        assert len(catalog.cache) <= size
    catalog.prefetch(s.id for s in services)
    assert len(catalog.cache) <= size


def test_a_changed_service_is_read_fresh_after_the_change(tmp_path):
    orgs, services = generate_services(30, seed=2, places=PLACES)
    compact, db = _in_database(tmp_path, Catalog(orgs, services), cache_size=10)
    try:
        with db.session() as s:
            follower = CatalogFollower(s, 0)
            follower.changes(s)
        svc = services[4]
        assert compact.service(svc.id).capacity.status == svc.capacity.status  # now in the cache
        changed = svc.model_copy(update={"capacity": Capacity(status="full"), "description": "Full until May"})
        with db.writing() as s:
            save_service(s, changed, "test", "capacity")
        with db.session() as s:
            _orgs, fresh, _rev = follower.changes(s)
        for f in fresh:
            compact.upsert_service(f)  # as a worker applies a change
        assert compact.service(svc.id) == changed
        assert compact.card(svc.id).capacity.status == "full"
        assert isinstance(compact.card(svc.id), ServiceCard)
    finally:
        db.dispose()


# ---------------------------------------------------------------- the snapshot


def _rewrite(snap: Path, change) -> None:
    """Change the snapshot's payload with ``change(header, payload)`` and write it back
    whole (its digest made again): a file that is not cut short, only other."""
    first, rest = snap.read_bytes().split(b"\n", 1)
    header, payload = orjson.loads(first), pickle.loads(rest)
    body = change(header, payload)
    header["payload"] = hashlib.blake2b(body).hexdigest()
    snap.write_bytes(orjson.dumps(header) + b"\n" + body)


def _settings(tmp_path, name: str, snapshot: str | None) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / name}",
        load_sample=True,
        catalog_snapshot=snapshot,
        catalog_check_seconds=3600,
    )


def _client_lists(app) -> list[dict]:
    state = app.state.freechoice
    clients = [
        parse_assessment(
            {
                "client_ref": f"c-{i}",
                "needs": needs,
                "situation": {"location": {"country": c, "area": a}, "languages": langs, "documents": docs},
            }
        )
        for i, ((c, a), needs, langs, docs) in enumerate(
            [
                (("TH", "Songkhla"), {"housing": 4, "legal_information": 3, "compensation": 4}, ["my"], "confiscated"),
                (("TH", "Samut Sakhon"), {"employment": 4, "identity_documents": 3}, ["km", "th"], "valid"),
                (("TH", "Bangkok"), {"basic_medical": 4, "housing": 3, "protection": 4}, [], "none"),
            ]
        )
    ]
    return [
        propose(a, state.catalog, state.rules, created_at="2026-01-01T00:00:00Z").model_dump(mode="json")
        for a in clients
    ]


def _change_some(url: str, catalog: Catalog) -> None:
    active = [s for s in catalog if s.status == "active"]
    db = Database(url)
    with db.writing() as s:
        save_service(s, active[0].model_copy(update={"capacity": Capacity(status="full")}), "test", "capacity")
        save_service(s, active[1].model_copy(update={"status": "inactive"}), "test", "deactivate")
        save_service(s, active[2].model_copy(update={"languages": ["lo"], "remote": True}), "test", "update")
        new = active[3].model_copy(update={"id": "svc-new-after-snapshot", "name": "New after the snapshot"})
        save_service(s, new, "test", "create")
    db.dispose()


def test_a_snapshot_of_an_older_revision_and_the_changes_since_give_what_a_cold_load_gives(tmp_path, caplog):
    snap = str(tmp_path / "snap" / "catalog.json")
    with_snapshot = _settings(tmp_path, "fc.db", snap)
    first = create_app(with_snapshot)  # a cold load: writes the snapshot
    with TestClient(first):
        catalog = first.state.freechoice.catalog
        assert catalog.compact
    first.state.freechoice.close()
    _change_some(with_snapshot.database_url, catalog)

    caplog.set_level(logging.INFO, logger="freechoice.catalog")
    warm = create_app(with_snapshot)
    cold = create_app(with_snapshot.model_copy(update={"catalog_snapshot": None}))
    with TestClient(warm), TestClient(cold):
        a, b = warm.state.freechoice, cold.state.freechoice
        assert not [r for r in caplog.records if r.getMessage() == "catalog snapshot ignored"]
        loaded = [r for r in caplog.records if r.getMessage() == "catalog loaded"]
        assert [r.snapshot for r in loaded[-2:]] == [True, False]  # the cards were read from the snapshot
        assert a.revision == b.revision
        assert a.catalog.version == b.catalog.version
        assert "svc-new-after-snapshot" in a.catalog
        assert a.catalog.to_data() == b.catalog.to_data()
        assert _client_lists(warm) == _client_lists(cold)
        active = b.catalog.active_ids()
        assert sorted(a.catalog.active_ids()) == sorted(active)
        assert a.rules.service_tags(a.catalog, active) == b.rules.service_tags(b.catalog, active)
    for app in (warm, cold):
        app.state.freechoice.close()


@pytest.mark.parametrize(
    "damage",
    ["truncated", "foreign", "edited", "same ids, other content", "a tag set that is not there", "a function to call"],
)
def test_a_damaged_or_foreign_snapshot_is_ignored_with_a_log_line(tmp_path, caplog, damage):
    snap = tmp_path / "catalog.json"
    made = _settings(tmp_path, "made.db", str(snap))
    app = create_app(made)
    app.state.freechoice.close()
    target = made
    if damage == "truncated":
        snap.write_bytes(snap.read_bytes()[: snap.stat().st_size // 2])
    elif damage == "same ids, other content":  # another database made the same way, but its records differ
        target = _settings(tmp_path, "twin.db", str(snap))
        twin = create_app(target.model_copy(update={"catalog_snapshot": None}))
        with twin.state.freechoice.db.session() as s:
            rows = s.execute(text("SELECT id, data FROM services")).all()
        with twin.state.freechoice.db.writing() as s:
            for sid, data in rows:
                record = orjson.loads(data) if isinstance(data, str) else data
                record["name"] = record["name"] + " (twin)"
                s.execute(
                    text("UPDATE services SET data = :d WHERE id = :i"), {"d": orjson.dumps(record).decode(), "i": sid}
                )
        twin.state.freechoice.close()
    elif damage in ("edited", "a tag set that is not there"):

        def edit(header, payload):
            if damage == "edited":  # a row revision that is not the database's
                payload["rows"][0] += 1
            else:  # an index past the tag sets
                payload["tags"][0] = len(payload["tag_sets"])
            return pickle.dumps(payload, protocol=5)

        _rewrite(snap, edit)
    elif damage == "a function to call":  # nothing in a snapshot is run: a pickled call is refused

        class Call:
            def __reduce__(self):
                return (Path.touch, (tmp_path / "called",))

        _rewrite(snap, lambda header, payload: pickle.dumps({**payload, "ids": Call()}, protocol=5))
    else:  # the same file in front of another database, with other services, at a later revision
        target = _settings(tmp_path, "other.db", str(snap)).model_copy(update={"load_sample": False})
        other = create_app(target.model_copy(update={"catalog_snapshot": None}))
        orgs, services = generate_services(25, seed=9, places=PLACES)
        with other.state.freechoice.db.writing() as s:
            import_catalog(s, orgs, services, actor="test")
            for svc in services[:5]:
                save_service(s, svc.model_copy(update={"capacity": Capacity(status="full")}), "test", "capacity")
        other.state.freechoice.close()

    caplog.set_level(logging.INFO, logger="freechoice.catalog")
    used = create_app(target)
    cold = create_app(target.model_copy(update={"catalog_snapshot": None}))
    with TestClient(used), TestClient(cold):
        ignored = [r for r in caplog.records if r.getMessage() == "catalog snapshot ignored"]
        assert ignored
        if damage == "same ids, other content":
            assert "differs from the database's record" in ignored[-1].why
        if damage == "a function to call":
            assert "is not allowed in a snapshot" in ignored[-1].why
            assert not (tmp_path / "called").exists()
        a, b = used.state.freechoice, cold.state.freechoice
        assert a.catalog.version == b.catalog.version
        assert _client_lists(used) == _client_lists(cold)
    for app in (used, cold):
        app.state.freechoice.close()


def test_a_snapshot_of_the_older_format_is_ignored_and_written_again_in_this_one(tmp_path, caplog):
    snap = tmp_path / "catalog.json"
    made = _settings(tmp_path, "fc.db", str(snap))
    create_app(made).state.freechoice.close()  # a cold load: writes the snapshot
    # the same catalog in the format before this one (format 3: JSON lines, a card's
    # shared values in a table in the header)
    first, rest = snap.read_bytes().split(b"\n", 1)
    payload = pickle.loads(rest)
    old = {k: v for k, v in orjson.loads(first).items() if k != "payload"}
    old.update(format=3, values=[], tags=[sorted(t) for t in payload["tag_sets"]])
    entries = zip(payload["ids"], payload["rows"], payload["digests"], payload["tags"], strict=True)
    lines = [orjson.dumps([sid, row, digest.hex(), None, at]) for sid, row, digest, at in entries]
    snap.write_bytes(b"\n".join([orjson.dumps(old), *lines]) + b"\n")

    caplog.set_level(logging.INFO, logger="freechoice.catalog")
    first = create_app(made)
    first.state.freechoice.close()
    ignored = [r for r in caplog.records if r.getMessage() == "catalog snapshot ignored"]
    assert ignored and {r.why for r in ignored} == {"another format"}
    assert orjson.loads(snap.read_bytes().split(b"\n", 1)[0])["format"] == SNAPSHOT_FORMAT == 4  # written again

    caplog.clear()
    again = create_app(made)
    cold = create_app(made.model_copy(update={"catalog_snapshot": None}))
    with TestClient(again), TestClient(cold):
        assert not [r for r in caplog.records if r.getMessage() == "catalog snapshot ignored"]
        loaded = [r for r in caplog.records if r.getMessage() == "catalog loaded"]
        assert [r.snapshot for r in loaded] == [True, False]
        a, b = again.state.freechoice, cold.state.freechoice
        assert a.catalog.version == b.catalog.version
        active = b.catalog.active_ids()
        assert a.rules.service_tags(a.catalog, active) == b.rules.service_tags(b.catalog, active)
        assert _client_lists(again) == _client_lists(cold)
    for app in (again, cold):
        app.state.freechoice.close()
