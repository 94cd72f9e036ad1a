"""The demo's six months of casework (issue 12): seeded and deterministic, stored as the
service stores it, and the measures read back from the database equal those of the
simulated records; the donor report command exports it anonymised and audited."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid

from sqlalchemy import select

from freechoice.api.casework import case_records
from freechoice.api.cli.demo_cmd import store_simulation
from freechoice.catalog import Organization, load_sample_catalog
from freechoice.catalog.db import Database, save_organization
from freechoice.catalog.db.tables import AssessmentRow, AuditEntry, OptionListRow
from freechoice.engine import load_rules, propose
from freechoice.engine.casework import Programme, compute_measures, simulate_casework
from freechoice.engine.cohort import synthetic_cohort
from freechoice.engine.kpis import list_summary

ORG = "org-demo-test"


def _store(db: Database, size: int, seed: int):
    catalog, rules = load_sample_catalog(), load_rules()
    cohort = synthetic_cohort(size, seed)
    lists = [propose(a, catalog, rules) for a in cohort]
    cases, today = simulate_casework(cohort, lists, Programme(), seed=seed)
    ids = [("as-" + uuid.uuid4().hex, "ol-" + uuid.uuid4().hex) for _ in cohort]
    with db.writing() as s:
        save_organization(s, Organization(id=ORG, name="Demo test (fictional)"), "test")
        for a, ol, (aid, lid) in zip(cohort, lists, ids, strict=True):
            s.add(
                AssessmentRow(
                    id=aid, organization_id=ORG, client_ref=a.client_ref, data=a.model_dump(mode="json"), created_by="t"
                )
            )
            s.flush()
            s.add(
                OptionListRow(
                    id=lid,
                    organization_id=ORG,
                    assessment_id=aid,
                    client_ref=a.client_ref,
                    rules_version=ol.rules_version,
                    catalog_version=ol.catalog_version,
                    data=ol.model_dump(mode="json"),
                    created_by="t",
                    **list_summary(ol.model_dump(mode="json")),
                )
            )
        store_simulation(s, ORG, cohort, lists, ids, cases)
    return cases, today


def test_the_simulation_is_seeded_and_its_measures_survive_the_database(database_url):
    cohort = synthetic_cohort(30, 5)
    catalog, rules = load_sample_catalog(), load_rules()
    lists = [propose(a, catalog, rules) for a in cohort]
    once, _ = simulate_casework(cohort, lists, Programme(), seed=5)
    again, _ = simulate_casework(cohort, lists, Programme(), seed=5)
    assert [c.record for c in once] == [c.record for c in again]
    other, _ = simulate_casework(cohort, lists, Programme(), seed=6)
    assert [c.record for c in once] != [c.record for c in other]
    db = Database(database_url)
    db.upgrade()
    try:
        cases, today = _store(db, 40, 2016)
        assert any(c.record.follow_ups and any(f.needs for f in c.record.follow_ups) for c in cases)
        with db.session() as s:
            stored = case_records(s, ORG)
        simulated = sorted((c.record for c in cases), key=lambda r: r.client_ref)
        assert [r.model_dump() for r in stored] == [r.model_dump() for r in simulated]
        assert compute_measures(stored) == compute_measures(simulated)
        assert today == dt.date(2016, 8, 4)
    finally:
        db.downgrade("base")
        db.dispose()


def test_the_donor_report_command_exports_an_anonymised_audited_report(tmp_path):
    url = f"sqlite:///{tmp_path / 'donor.db'}"
    db = Database(url)
    db.upgrade()
    _store(db, 20, 7)
    env = dict(os.environ, FREECHOICE_DATABASE_URL=url)
    env.pop("FREECHOICE_DATA_KEY", None)
    out = tmp_path / "report.html"
    cli = [sys.executable, "-m", "freechoice.api.cli", "donor-report", "--org", ORG]
    csv_run = subprocess.run(
        [*cli, "--from", "2016-01-01", "--to", "2016-06-30"], capture_output=True, text=True, timeout=120, env=env
    )
    assert csv_run.returncode == 0, csv_run.stderr
    assert csv_run.stdout.startswith("section,case,date")
    assert "DEMO-demo-" in csv_run.stdout  # the proofs (fictional references)
    assert "demo-0" not in csv_run.stdout.replace("DEMO-demo-", "")  # no client reference otherwise
    assert "+66 80" not in csv_run.stdout and "Ko Demo Person" not in csv_run.stdout
    html_run = subprocess.run(
        [*cli, "--from", "2016-01-01", "--to", "2016-06-30", "--format", "html", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert html_run.returncode == 0, html_run.stderr
    assert out.read_text().startswith("<!DOCTYPE html>")
    bad = subprocess.run(
        [*cli, "--from", "2016-06-30", "--to", "2016-01-01"], capture_output=True, text=True, timeout=120, env=env
    )
    assert bad.returncode == 2 and "to" in bad.stderr
    with db.session() as s:
        exports = list(s.scalars(select(AuditEntry).where(AuditEntry.resource == "donor_report")))
    assert [e.detail["format"] for e in exports] == ["csv", "html"] and exports[0].key_id == "cli"
    db.dispose()
