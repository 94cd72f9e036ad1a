"""Open Referral HSDS 3.1: valid exports, exact round trips, honest imports of foreign data."""

from __future__ import annotations

import copy
import filecmp
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from freechoice.catalog import Catalog, ValidationFailed, load_sample_catalog
from freechoice.catalog.db import Database, load_catalog
from freechoice.catalog.generate import generate_services
from freechoice.catalog.hsds import export_catalog, parse_hsds, read_hsds, registry_from, validator

REPO = Path(__file__).resolve().parents[2]
OFFICIAL = REPO.parent / "shared" / "reference" / "hsds-3.1"
BUNDLED = REPO / "catalog" / "hsds" / "schema"
SAMPLE = load_sample_catalog()
DOC = export_catalog(SAMPLE)


def _check_all(doc: dict, folder: Path) -> list[str]:
    reg = registry_from(folder)
    errors = []
    for name, items in (("organization", doc["organizations"]), ("service", doc["services"]),
                        ("taxonomy", doc["taxonomies"]), ("taxonomy_term", doc["taxonomy_terms"])):
        v = validator(name, reg)
        errors += [f"{name} {obj.get('id')}: {e.message}" for obj in items for e in v.iter_errors(obj)]
    return errors


def test_export_validates_against_the_official_hsds_schemas():
    if not OFFICIAL.is_dir():
        pytest.skip(f"official HSDS 3.1 schemas not found at {OFFICIAL}")
    assert _check_all(DOC, OFFICIAL) == []


def test_export_validates_against_the_bundled_copy_which_is_unchanged():
    assert _check_all(DOC, BUNDLED) == []
    assert (BUNDLED / "LICENSE").read_text().startswith("Attribution-ShareAlike 4.0") or "CC BY-SA" in (BUNDLED / "README.md").read_text()
    if OFFICIAL.is_dir():
        names = sorted(p.name for p in OFFICIAL.glob("*.json"))
        match, mismatch, errors = filecmp.cmpfiles(OFFICIAL, BUNDLED, names, shallow=False)
        assert mismatch == [] and errors == []


def test_format_checking_is_on():
    broken = copy.deepcopy(DOC["services"][0])
    broken["id"] = "not-a-uuid"
    broken["email"] = "not an email"
    messages = [e.message for e in validator("service", registry_from(BUNDLED)).iter_errors(broken)]
    assert any("uuid" in m for m in messages) and any("email" in m for m in messages)


def test_domain_facts_travel_as_attributes_of_a_published_taxonomy():
    tax = DOC["taxonomies"][0]
    assert tax["uri"].startswith("https://") and tax["name"] == "freechoice"
    terms = {t["id"]: t["name"] for t in DOC["taxonomy_terms"]}
    desk = next(s for s in DOC["services"] if s["name"] == "Provincial legal assistance desk")
    names = {terms[a["taxonomy_term_id"]]: a.get("value") for a in desk["attributes"]}
    assert json.loads(names["fact:reports_to_authorities"]) == "mandatory"
    assert "legal_aid.wage_claim" in names
    assert "immigration" in desk["alert"]
    full = next(s for s in DOC["services"] if s["name"] == "Labour court representation (priority cases)")
    assert full["capacities"][0]["unit"]["name"] == "places" and full["capacities"][0]["available"] == 0


def test_sample_round_trips_exactly():
    back = parse_hsds(json.loads(json.dumps(DOC)))
    again = Catalog(back.organizations, back.services, sample=True)
    assert again.version == SAMPLE.version
    assert back.unclassified == [] and back.inferred == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 60), seed=st.integers(0, 10_000))
def test_round_trip_property(n, seed):
    orgs, services = generate_services(n, seed=seed)
    cat = Catalog(orgs, services)
    back = parse_hsds(json.loads(json.dumps(export_catalog(cat))))
    assert Catalog(back.organizations, back.services).version == cat.version


FOREIGN = [
    {
        "id": "2f0e8a52-2f0a-4a55-9d3c-7a1d6a3c5b01", "name": "Unpaid wages legal clinic", "status": "active",
        "organization": {"id": "7c2b0f2e-9a0d-4b5e-8f5a-1e2d3c4b5a60", "name": "Other Directory Org", "description": "From another directory"},
        "organization_id": "7c2b0f2e-9a0d-4b5e-8f5a-1e2d3c4b5a60",
        "languages": [{"id": "0b8e7f4c-3f1a-4c2d-9e8b-7a6f5e4d3c21", "code": "th"}],
        "service_at_locations": [{"id": "5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "location": {
            "id": "6e2d3c4b-5f6a-4b7c-9d8e-0f1a2b3c4d5e", "location_type": "physical", "addresses": [{
                "id": "7f3e4d5c-6a7b-4c8d-8e9f-1a2b3c4d5e6f", "address_1": "1 Road", "city": "Hat Yai",
                "state_province": "Songkhla", "postal_code": "90110", "country": "TH", "address_type": "physical"}]}}],
    },
    {
        "id": "3a1f9b63-3e1b-4b66-8e4d-8b2e7b4d6c12", "name": "Community garden", "status": "active",
        "organization_id": "7c2b0f2e-9a0d-4b5e-8f5a-1e2d3c4b5a60",
        "service_at_locations": [{"id": "8a4f5e6d-7b8c-4d9e-9f0a-2b3c4d5e6f7a", "location": {
            "id": "9b5a6f7e-8c9d-4e0f-8a1b-3c4d5e6f7a8b", "location_type": "physical", "addresses": [{
                "id": "0c6b7a8f-9d0e-4f1a-9b2c-4d5e6f7a8b9c", "address_1": "2 Road", "city": "Trang", "state_province": "Trang",
                "postal_code": "92000", "country": "TH", "address_type": "physical"}]}}],
    },
]


def test_foreign_records_import_with_inference_and_an_unclassified_report():
    res = parse_hsds(copy.deepcopy(FOREIGN))
    by_name = {s.name: s for s in res.services}
    assert by_name["Unpaid wages legal clinic"].kinds == ["legal_aid.wage_claim"]
    assert by_name["Unpaid wages legal clinic"].location.area == "Songkhla"
    garden = by_name["Community garden"]
    assert garden.kinds == ["unclassified"] and garden.status == "inactive"
    assert [u["name"] for u in res.unclassified] == ["Community garden"]
    assert res.inferred[0]["from"].startswith("keyword")


def test_bad_input_lists_every_error_and_imports_nothing():
    bad = copy.deepcopy(FOREIGN)
    del bad[0]["name"]
    bad[1]["id"] = "not-a-uuid"
    bad[1]["status"] = "sometimes"
    with pytest.raises(ValidationFailed) as err:
        parse_hsds(bad)
    fields = [p.field for p in err.value.problems]
    assert any(f.startswith("service[2f0e8a52") for f in fields)
    assert any("service[not-a-uuid].id" == f for f in fields)
    assert any(f.endswith(".status") for f in fields)
    with pytest.raises(ValidationFailed, match="services"):
        parse_hsds({"organisations": []})


def test_a_folder_of_object_files(tmp_path: Path):
    svc = copy.deepcopy(FOREIGN[0])
    org = svc.pop("organization")
    langs = svc.pop("languages")
    for lang in langs:
        lang["service_id"] = svc["id"]
    (tmp_path / "organizations.json").write_text(json.dumps([org]))
    (tmp_path / "services.json").write_text(json.dumps([svc]))
    (tmp_path / "languages.json").write_text(json.dumps(langs))
    res = parse_hsds(read_hsds(tmp_path))
    assert res.services[0].languages == ["th"] and res.organizations[0].name == "Other Directory Org"


def test_cli_export_import_is_idempotent_and_rejects_bad_files_whole(tmp_path: Path):
    env = dict(os.environ, FREECHOICE_DATABASE_URL=f"sqlite:///{tmp_path / 'h.db'}")
    cli = [sys.executable, "-m", "freechoice.api.cli", "catalog"]
    out = tmp_path / "sample.json"
    done = subprocess.run([*cli, "export", "--sample", "--out", str(out)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0 and "99 services" in done.stdout
    first = subprocess.run([*cli, "import", str(out)], capture_output=True, text=True, env=env, timeout=120)
    assert "99 created" in first.stdout, first.stderr
    again = subprocess.run([*cli, "import", str(out)], capture_output=True, text=True, env=env, timeout=120)
    assert "0 created, 0 updated, 99 unchanged" in again.stdout
    bad = tmp_path / "bad.json"
    broken = json.loads(out.read_text())
    broken["services"][0]["id"] = "nope"
    broken["services"][1]["name"] = 42
    bad.write_text(json.dumps(broken))
    rejected = subprocess.run([*cli, "import", str(bad)], capture_output=True, text=True, env=env, timeout=120)
    assert rejected.returncode == 2 and "service[nope].id" in rejected.stderr and ".name" in rejected.stderr
    db = Database(env["FREECHOICE_DATABASE_URL"])
    with db.session() as s:
        assert load_catalog(s)[0].version == SAMPLE.version  # nothing of the bad file landed
    one = tmp_path / "one.json"
    done = subprocess.run([*cli, "export", "--out", str(one), "--org", "org-open-door-houses"], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0
    part = json.loads(one.read_text())
    assert len(part["organizations"]) == 1 and part["services"]
    db.dispose()
