"""Incremental sync with another directory: only what changed since its last_modified
is written, and services it no longer lists are set inactive and reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from freechoice.catalog.db import Database, import_catalog, load_catalog
from freechoice.catalog.hsds import parse_hsds
from freechoice.catalog.hsds.sync import plan_sync

from . import real_world as rw


@pytest.fixture()
def db(tmp_path: Path):
    database = Database(f"sqlite:///{tmp_path / 'c.db'}")
    database.upgrade()
    yield database
    database.dispose()


def _sync(db: Database, services: list[dict], **kw):
    parsed = parse_hsds({"organizations": [rw.organization()], "services": services})
    with db.session() as s:
        plan = plan_sync(parsed, load_catalog(s)[0], "riverside", **kw)
    with db.writing() as s:
        summary = import_catalog(s, parsed.organizations, plan.services, actor="sync")
    with db.session() as s:
        return plan, summary, load_catalog(s)[0]


def test_a_second_sync_writes_only_what_changed_and_a_removed_service_is_deactivated_and_reported(db):
    plan, summary, stored = _sync(db, rw.services())
    assert (summary.created, plan.skipped, plan.deactivated) == (2, 0, [])
    assert plan.watermark is None  # nothing held from this directory before

    first, second = rw.services()
    first["application_process"] = "Call first; walk-ins on Mondays only."
    first["last_modified"] = "2026-11-25T09:00:00+07:00"
    plan, summary, stored = _sync(db, [first, second])
    assert plan.skipped == 1 and plan.watermark == "2026-11-20T10:15:00+07:00"
    assert (summary.created, summary.updated) == (0, 1)
    assert stored.get(rw.SVC_1).hsds_source["record"]["application_process"].startswith("Call first")

    plan, summary, stored = _sync(db, [first])  # the shelter is no longer listed
    assert plan.deactivated == [
        {
            "id": rw.SVC_2,
            "name": "Shelter for women and children (FICTIONAL)",
            "why": "no longer listed by directory 'riverside'; set inactive",
        }
    ]
    assert stored.get(rw.SVC_2).status == "inactive" and stored.get(rw.SVC_1).status == "active"
    assert plan.skipped == 1 and summary.updated == 1


def test_a_changes_only_listing_deactivates_nothing_and_an_unchanged_record_keeps_freechoice_edits(db):
    _sync(db, rw.services())
    with db.session() as s:
        held = load_catalog(s)[0].get(rw.SVC_2)
    with db.writing() as s:  # a caseworker corrects the name in freechoice
        import_catalog(s, [], [held.model_copy(update={"name": "Shelter (corrected)"})], actor="editor")
    first = rw.services()[0]
    plan, summary, stored = _sync(db, [first], deactivate_missing=False)
    assert plan.deactivated == [] and plan.skipped == 1
    assert stored.get(rw.SVC_2).status == "active" and stored.get(rw.SVC_2).name == "Shelter (corrected)"


def test_other_directories_services_are_never_deactivated_by_this_one(db):
    _sync(db, rw.services())
    parsed = parse_hsds({"organizations": [rw.organization()], "services": []})
    with db.session() as s:
        plan = plan_sync(parsed, load_catalog(s)[0], "another-directory")
    assert plan.deactivated == [] and plan.services == []
