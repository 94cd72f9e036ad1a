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
    assert {
        "option_id",
        "score",
        "reasons",
        "cautions",
        "steps",
        "cost",
        "location",
        "languages",
        "availability",
    } <= set(comp["options"][0])
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
    assert "Cash: 3 monthly transfers of 9,000 Thai baht, 27,000 Thai baht in all." in done.stdout
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


def test_show_all_brings_back_what_is_left_out_by_default_last_with_its_cautions(tmp_path: Path):
    catalog = json.loads(json.dumps(CATALOG))
    job = {
        "organization_id": "org-cli",
        "kinds": ["job_placement.direct_employer"],
        "service_areas": [{"country": "TH", "area": "Songkhla"}],
        "languages": ["my"],
    }
    catalog["services"] += [
        {
            **job,
            "id": "svc-a-fees",
            "name": "Plantation that charges fees",
            "employment": {"direct_hire": True, "charges_recruitment_fees": True, "sectors": ["agriculture"]},
        },
        {
            **job,
            "id": "svc-z-direct",
            "name": "Factory, direct hire",
            "employment": {"direct_hire": True, "charges_recruitment_fees": False, "sectors": ["manufacturing"]},
        },
    ]
    cat = tmp_path / "catalog.yaml"
    cat.write_text(yaml.safe_dump(catalog))
    a = dict(ASSESSMENT, needs={"employment": 4})
    plain = json.loads(run("match", "-", "--catalog", str(cat), "--json", stdin=json.dumps(a)).stdout)
    assert [o["service_id"] for o in plain["needs"][0]["options"]] == ["svc-z-direct"]
    left_out = [e for e in plain["excluded"] if e["service_id"] == "svc-a-fees"]
    assert left_out and left_out[0]["on_request"] and "Shown on request" in left_out[0]["text"]

    done = run("match", "-", "--catalog", str(cat), "--json", "--show-all", stdin=json.dumps(a))
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    options = shown["needs"][0]["options"]
    assert [o["service_id"] for o in options] == ["svc-z-direct", "svc-a-fees"]
    assert options[1]["shown_on_request"] and any("recruitment fees" in c["text"] for c in options[1]["cautions"])
    assert shown["show_all"] is True and not any(e["service_id"] == "svc-a-fees" for e in shown["excluded"])

    text = run("match", "-", "--catalog", str(cat), "--show-all", stdin=json.dumps(a)).stdout
    assert "Plantation that charges fees - CLI Test Legal Clinic (fictional)" in text and "(shown on request)" in text
