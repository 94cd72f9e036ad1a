"""``freechoice catalog import|export`` as an operator runs them, on a SQLite file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from freechoice.catalog import Catalog, Organization, load_sample_catalog
from freechoice.catalog.db import Database, import_catalog, load_catalog
from freechoice.catalog.hsds import export_catalog

from . import real_world as rw

SAMPLE = load_sample_catalog()
OTHER = Path(__file__).parent / "other_directory.json"


@pytest.fixture()
def cli(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'catalog.db'}"
    env = dict(os.environ, FREECHOICE_DATABASE_URL=url)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "freechoice.api.cli", "catalog", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    run.url = url  # type: ignore[attr-defined]
    return run


def _stored(url: str) -> Catalog:
    db = Database(url)
    try:
        with db.session() as s:
            return load_catalog(s)[0]
    finally:
        db.dispose()


def test_export_import_again_changes_nothing_and_a_bad_file_writes_nothing(cli, tmp_path: Path):
    sample = tmp_path / "sample.json"
    done = cli("export", "--sample", "--out", str(sample))
    assert done.returncode == 0, done.stderr
    assert f"{len(SAMPLE)} services" in done.stdout
    first = cli("import", str(sample))
    assert f"{len(SAMPLE)} created, 0 updated, 0 unchanged" in first.stdout, first.stderr
    again = cli("import", str(sample))
    assert f"0 created, 0 updated, {len(SAMPLE)} unchanged" in again.stdout, again.stderr
    assert _stored(cli.url).version == SAMPLE.version

    broken = json.loads(sample.read_text(encoding="utf-8"))
    broken["services"][0]["id"] = "nope"
    broken["services"][1]["name"] = 42
    broken["services"][2]["name"] = "Renamed, but the file is bad elsewhere"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken), encoding="utf-8")
    rejected = cli("import", str(bad))
    assert rejected.returncode == 2
    assert "service[nope].id" in rejected.stderr and ".name: 42 is not of type" in rejected.stderr
    assert _stored(cli.url).version == SAMPLE.version  # nothing of the bad file landed

    part = tmp_path / "one.json"
    assert cli("export", "--out", str(part), "--org", "org-open-door-houses").returncode == 0
    doc = json.loads(part.read_text(encoding="utf-8"))
    assert [o["name"] for o in doc["organizations"]] == [SAMPLE.organization("org-open-door-houses").name]
    assert len(doc["services"]) == len(SAMPLE.services_of("org-open-door-houses"))


def test_another_directory_imports_with_a_report_of_what_could_not_be_classified(cli, tmp_path: Path):
    report = tmp_path / "report.json"
    done = cli("import", str(OTHER), "--report", str(report))
    assert done.returncode == 0, done.stderr
    assert "UNCLASSIFIED (kept inactive)" in done.stdout and "Community garden" in done.stdout
    body = json.loads(report.read_text(encoding="utf-8"))
    assert body["created"] == 5
    assert sorted(r["name"] for r in body["unclassified"]) == ["Community garden", "Migrant and parent support group"]
    stored = _stored(cli.url)
    garden = next(s for s in stored if s.name == "Community garden")
    assert garden.status == "inactive" and garden.kinds == ["unclassified"]


def test_importing_as_an_organisation_that_must_exist(cli, tmp_path: Path):
    services = tmp_path / "services.json"
    services.write_text(json.dumps(json.loads(OTHER.read_text(encoding="utf-8"))["services"]), encoding="utf-8")
    missing = cli("import", str(services), "--org", "org-not-there")
    assert missing.returncode == 2 and "--org: no organization 'org-not-there' in the database" in missing.stderr
    db = Database(cli.url)
    with db.session() as s, s.begin():
        import_catalog(s, SAMPLE.organizations.values(), SAMPLE, actor="test")
    db.dispose()
    done = cli("import", str(services), "--org", "org-open-door-houses")
    assert done.returncode == 0, done.stderr
    stored = _stored(cli.url)
    assert len(stored.services_of("org-open-door-houses")) == len(SAMPLE.services_of("org-open-door-houses")) + 5


def test_a_referral_cycle_is_refused_before_anything_is_written(cli, tmp_path: Path):
    base = next(s for s in SAMPLE if s.status == "active")
    org = Organization(id="org-loop", name="Loop (fictional)")
    a = base.model_copy(update={"id": "svc-loop-a", "organization_id": org.id, "refers_to": ["svc-loop-b"]})
    b = base.model_copy(update={"id": "svc-loop-b", "organization_id": org.id, "refers_to": ["svc-loop-a"]})
    loop = tmp_path / "loop.json"
    loop.write_text(json.dumps(export_catalog(Catalog([org], [a, b]))), encoding="utf-8")
    done = cli("import", str(loop))
    assert done.returncode == 2 and "cycle" in done.stderr
    assert len(_stored(cli.url)) == 0


def test_a_csv_folder_syncs_leniently_and_a_dropped_service_is_reported(cli, tmp_path: Path):
    folder = tmp_path / "csv"
    records = rw.services()
    records[0]["service_at_locations"][1]["location"]["latitude"] = 100
    rw.write_tabular(folder, records=records)
    strict = cli("import", str(folder), "--directory", "riverside")
    assert strict.returncode == 2 and "latitude" in strict.stderr
    done = cli("import", str(folder), "--directory", "riverside", "--lenient")
    assert done.returncode == 0, done.stderr
    assert "DROPPED" in done.stdout and "2 created" in done.stdout
    shutil.rmtree(folder)
    rw.write_tabular(folder, records=rw.services()[:1])
    report = tmp_path / "report.json"
    again = cli("import", str(folder), "--directory", "riverside", "--report", str(report))
    assert again.returncode == 0, again.stderr
    assert "DEACTIVATED" in again.stdout
    body = json.loads(report.read_text(encoding="utf-8"))
    assert [d["name"] for d in body["deactivated"]] == ["Shelter for women and children (FICTIONAL)"]
    assert body["directory"] == "riverside"


def test_export_leaves_a_deactivated_organisation_out_unless_asked(cli, tmp_path: Path):
    import datetime as dt

    from freechoice.catalog.db.tables import OrganizationRow
    from freechoice.catalog.hsds.vocabulary import record_uuid

    sample = tmp_path / "sample.json"
    assert cli("export", "--sample", "--out", str(sample)).returncode == 0
    assert cli("import", str(sample)).returncode == 0
    gone = "org-open-door-houses"
    theirs = {record_uuid("service", s.id) for s in SAMPLE.services_of(gone)}
    db = Database(cli.url)
    try:
        with db.writing() as s:
            row = s.get(OrganizationRow, gone)
            assert row is not None
            row.deactivated_at = dt.datetime.now(dt.UTC)
    finally:
        db.dispose()

    out = tmp_path / "out.json"
    done = cli("export", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "left out 1 deactivated organisation(s)" in done.stdout
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert record_uuid("organization", gone) not in {o["id"] for o in doc["organizations"]}
    assert not {s["id"] for s in doc["services"]} & theirs
    assert len(doc["services"]) == len(SAMPLE) - len(theirs)

    everything = tmp_path / "all.json"
    assert cli("export", "--out", str(everything), "--include-deactivated").returncode == 0
    doc = json.loads(everything.read_text(encoding="utf-8"))
    assert len(doc["services"]) == len(SAMPLE)
    marked = {s["id"] for s in doc["services"] if s.get("organization_active") is False}
    assert marked == theirs
    [org] = [o for o in doc["organizations"] if o["id"] == record_uuid("organization", gone)]
    assert org["organization_active"] is False

    refused = cli("export", "--out", str(tmp_path / "one.json"), "--org", gone)
    assert refused.returncode == 2 and f"organization {gone!r} is deactivated" in refused.stderr
    assert cli("export", "--out", str(tmp_path / "one.json"), "--org", gone, "--include-deactivated").returncode == 0
