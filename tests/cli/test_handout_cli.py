"""``freechoice handout`` as a caseworker runs it: from an assessment file, and from an
option list stored in the database (read as its organisation, and audited)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from freechoice.catalog import Organization, load_sample_catalog
from freechoice.catalog.db import Database, save_organization
from freechoice.catalog.db.tables import AssessmentRow, AuditEntry, ChoiceRow, OptionListRow
from freechoice.engine import load_rules, parse_assessment, propose

CLI = [sys.executable, "-m", "freechoice.api.cli"]
ASSESSMENT = {
    "client_ref": "c-handout-cli",
    "needs": {"housing": 4, "food": 3},
    "situation": {"location": {"country": "TH", "area": "Samut Sakhon"}, "languages": ["km"], "age": 40},
}


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, env=env)


def test_handout_from_an_assessment_file_in_khmer_with_english_beside_it(tmp_path: Path):
    a = tmp_path / "a.json"
    a.write_text(json.dumps(ASSESSMENT))
    out = tmp_path / "handout.html"
    done = run("handout", str(a), "--lang", "km", "--caseworker-lang", "en", "--out", str(out))
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert '<html lang="km">' in page and '<div lang="en" class="cw">' in page
    assert "ផ្ទះទ្វារបើកចំហ (សាមុតសាខន)" in page  # the sample shelter's Khmer name
    bad = run("handout", str(a), "--lang", "de", "--out", str(out))
    said = " ".join(bad.stderr.replace("│", " ").split())  # the usage error comes in a box
    assert bad.returncode == 2 and "'de'" in said and "allowed: en, my, th, km, lo" in said


def test_handout_of_a_stored_list_shows_the_choice_and_is_audited(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    env = dict(os.environ, FREECHOICE_DATABASE_URL=url)
    env.pop("FREECHOICE_DATA_KEY", None)
    db = Database(url)
    db.upgrade()
    cat = load_sample_catalog()
    ol = propose(parse_assessment(ASSESSMENT), cat, load_rules(None), list_id="ol-cli-1")
    kitchen = next(
        o.option_id for n in ol.needs for o in n.options if o.service_id == "svc-samut-sakhon-open-door-shelter"
    )
    with db.writing() as s:
        save_organization(s, Organization(id="org-cw", name="Caseworkers (fictional)"), "test")
        for org in cat.organizations.values():
            save_organization(s, org, "test")
        s.add(AssessmentRow(id="as-1", organization_id="org-cw", client_ref=ol.client_ref, data={}, created_by="t"))
        s.flush()
        s.add(
            OptionListRow(
                id=ol.id,
                organization_id="org-cw",
                assessment_id="as-1",
                client_ref=ol.client_ref,
                rules_version=ol.rules_version,
                catalog_version=ol.catalog_version,
                data=ol.model_dump(mode="json"),
                created_by="t",
            )
        )
        s.flush()
        s.add(
            ChoiceRow(
                id="ch-1",
                option_list_id=ol.id,
                organization_id="org-cw",
                decision="chosen",
                data={"option_ids": [kitchen], "cash_chosen": False},
                created_by="t",
            )
        )
    out = tmp_path / "stored.html"
    other = run("handout", "--option-list", ol.id, "--org", "org-other", "--out", str(out), env=env)
    assert other.returncode == 2 and not out.exists()
    done = run("handout", "--option-list", ol.id, "--org", "org-cw", "--lang", "km", "--out", str(out), env=env)
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert page.count('<article class="card">') == 1
    assert "អ្វីដែលអ្នកបានជ្រើសរើស" in page  # "What you chose"
    with db.session() as s:
        reads = s.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "read", AuditEntry.resource_id == ol.id, AuditEntry.organization_id == "org-cw")
        )
    assert reads == 1
    db.dispose()
