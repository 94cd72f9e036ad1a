"""The compiled catalog's snapshot: a worker reading it gets the very tags the rules give,
and nothing stale: another rules version, a changed service or a broken file is re-tagged."""

from __future__ import annotations

from freechoice.catalog import Capacity, load_sample_catalog
from freechoice.engine import compile_rules, load_rules, load_snapshot, save_snapshot
from freechoice.rules import default_pack


def _active(catalog):
    return [s.id for s in catalog if s.status == "active"]


def test_a_snapshot_gives_the_tags_the_rules_give_and_skips_what_changed(tmp_path):
    path = tmp_path / "snap" / "catalog.json"
    catalog = load_sample_catalog()
    save_snapshot(path, load_rules(), catalog, revision=7)

    # a service changes after the snapshot was made (its tags may change with it)
    changed = next(s for s in catalog if s.status == "active")
    catalog.upsert_service(changed.model_copy(update={"capacity": Capacity(status="full"), "remote": True}))

    rules = load_rules()
    seeded = load_snapshot(path, rules, catalog)
    assert seeded == len(_active(catalog)) - 1  # everything but the changed service
    expected = load_rules().service_tags(catalog, _active(catalog))
    assert rules.service_tags(catalog, _active(catalog)) == expected


def test_a_snapshot_of_other_rules_or_a_broken_file_is_not_used(tmp_path):
    path = tmp_path / "catalog.json"
    catalog = load_sample_catalog()
    save_snapshot(path, load_rules(), catalog, revision=1)
    pack = default_pack()
    other = compile_rules(pack.model_copy(update={"rules": pack.rules[:-1]}))
    assert other.version != load_rules().version
    assert load_snapshot(path, other, catalog) == 0
    path.write_bytes(b'{"format": 1, "rules": ')
    assert load_snapshot(path, load_rules(), catalog) == 0
    assert load_snapshot(tmp_path / "missing.json", load_rules(), catalog) == 0


def test_a_forked_worker_takes_the_parents_tags_as_they_are_without_running_the_rules_again():
    catalog = load_sample_catalog()
    parent = load_rules()
    parent.prepare(catalog)
    cache = parent.tag_cache()
    active = _active(catalog)
    assert {catalog.serial(sid) for sid in active} <= set(cache)  # every active service's

    worker = load_rules()
    worker.adopt_tags(cache)
    assert worker.service_tags(catalog, active) == parent.service_tags(catalog, active)
    # taken as computed: what the cache says is what the worker answers
    some = active[0]
    marked = load_rules()
    marked.adopt_tags({**cache, catalog.serial(some): frozenset({"from-the-parent"})})
    assert marked.service_tags(catalog, [some]) == {some: frozenset({"from-the-parent"})}
    # a service changed after the fork has a new serial: tagged afresh
    svc = catalog.service(some)
    catalog.upsert_service(svc.model_copy(update={"capacity": Capacity(status="full")}))
    assert marked.service_tags(catalog, [some]) == load_rules().service_tags(catalog, [some])
