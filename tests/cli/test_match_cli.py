"""``freechoice match`` and ``freechoice demo`` as a user runs them (a real subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

CLI = [sys.executable, "-m", "freechoice.api.cli"]

CATALOG = {
    "catalog": "cli test catalog",
    "sample": True,
    "organizations": [{"id": "org-cli", "name": "CLI Test Legal Clinic (fictional)", "sample": True}],
    "services": [
        {
            "id": "svc-wage",
            "organization_id": "org-cli",
            "name": "Unpaid wage claims",
            "kinds": ["legal_aid.wage_claim"],
            "service_areas": [{"country": "TH", "area": "Songkhla"}],
            "languages": ["my", "th"],
        },
        {
            "id": "svc-reporting",
            "organization_id": "org-cli",
            "name": "Legal clinic that reports to immigration",
            "kinds": ["legal_aid.wage_claim"],
            "service_areas": [{"country": "TH", "area": "Songkhla"}],
            "languages": ["my"],
            "reports_to_authorities": "mandatory",
            "reports_to": ["immigration"],
        },
    ],
}
ASSESSMENT = {
    "client_ref": "c-cli",
    "needs": {"compensation": 4, "food": 3},
    "situation": {
        "location": {"country": "TH", "area": "Songkhla"},
        "languages": ["my"],
        "documents": "lost",
        "no_contact_with": ["immigration"],
    },
}


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], input=stdin, capture_output=True, text=True, timeout=120)


def test_match_json_prints_exactly_the_option_list_contract(tmp_path: Path):
    cat = tmp_path / "catalog.yaml"
    cat.write_text(yaml.safe_dump(CATALOG))
    a = tmp_path / "a.json"
    a.write_text(json.dumps(ASSESSMENT))
    done = run("match", str(a), "--catalog", str(cat), "--json")
    assert done.returncode == 0, done.stderr
    ol = json.loads(done.stdout)
    assert set(ol) >= {"id", "client_ref", "rules_version", "catalog_version", "needs", "excluded", "cash"}
    comp = ol["needs"][0]
    assert comp["need"] == "compensation" and comp["priority"] == 4
    assert [o["service_id"] for o in comp["options"]] == ["svc-wage"]
    assert {"option_id", "score", "reasons", "cautions", "steps", "cost", "location", "languages", "availability"} <= set(
        comp["options"][0]
    )
    assert ol["excluded"][0]["service_id"] == "svc-reporting"
    assert "immigration" in ol["excluded"][0]["text"]
    assert ol["needs"][1]["unmet"]["text"]
    assert ol["cash"]["transfers"] == 3 and ol["cash"]["currency"] == "THB"


def test_match_reads_stdin_and_renders_for_a_person(tmp_path: Path):
    cat = tmp_path / "catalog.yaml"
    cat.write_text(yaml.safe_dump(CATALOG))
    done = run("match", "-", "--catalog", str(cat), stdin=json.dumps(ASSESSMENT))
    assert done.returncode == 0, done.stderr
    assert "Unpaid wage claims" in done.stdout
    assert "Cash: 3 monthly transfers of 9,000 THB" in done.stdout
    assert "FICTIONAL SAMPLE DATA" in done.stdout


def test_invalid_assessment_prints_every_problem_and_exits_2(tmp_path: Path):
    bad = json.loads(json.dumps(ASSESSMENT))
    bad["needs"]["compensation"] = 5
    bad["situation"]["location"]["country"] = "XX"
    done = run("match", "-", stdin=json.dumps(bad))
    assert done.returncode == 2
    assert "needs.compensation" in done.stderr and "allowed: 1, 2, 3, 4" in done.stderr
    assert "situation.location.country" in done.stderr
    assert done.stdout == ""


def test_bad_json_exits_2():
    done = run("match", "-", stdin="{not json")
    assert done.returncode == 2 and "not valid JSON" in done.stderr
