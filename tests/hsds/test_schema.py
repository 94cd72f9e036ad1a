"""Every exported object is valid HSDS 3.1, checked with the reference validator
(jsonschema, Draft 2020-12, a local referencing registry, formats checked) against the
official schema files, and the bundled copy is those files unchanged."""

from __future__ import annotations

import copy
import doctest
import filecmp
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from strategies import catalogs

from freechoice.catalog import load_sample_catalog
from freechoice.catalog.hsds import (
    export_catalog,
    infer,
    profile,
    profile_errors,
    registry_from,
    schema,
    validator,
    vocabulary,
)

REPO = Path(__file__).resolve().parents[2]
OFFICIAL = REPO.parent / "shared" / "reference" / "hsds-3.1"
BUNDLED = REPO / "catalog" / "hsds" / "schema"
# the official files where this checkout has them beside it; the bundled copy otherwise
REFERENCE = OFFICIAL if OFFICIAL.is_dir() else BUNDLED
DOC = export_catalog(load_sample_catalog())
_OBJECTS = (
    ("organization", "organizations"),
    ("service", "services"),
    ("taxonomy", "taxonomies"),
    ("taxonomy_term", "taxonomy_terms"),
)


def _errors(doc: dict, folder: Path) -> list[str]:
    reg = registry_from(folder)
    out = []
    for name, key in _OBJECTS:
        v = validator(name, reg)
        out += [
            f"{name} {obj.get('id')}: {'/'.join(map(str, e.path))}: {e.message}"
            for obj in doc[key]
            for e in v.iter_errors(obj)
        ]
    return out


def test_sample_export_is_valid_against_the_official_hsds_schemas():
    if not OFFICIAL.is_dir():
        pytest.skip(f"official HSDS 3.1 schemas not found at {OFFICIAL}")
    assert _errors(DOC, OFFICIAL) == []
    assert all(DOC[key] for _, key in _OBJECTS)


def test_bundled_schemas_are_the_official_files_unchanged_with_their_licence():
    assert _errors(DOC, BUNDLED) == []
    assert "Creative Commons Attribution Share-Alike 4.0" in (BUNDLED / "LICENSE").read_text(encoding="utf-8")
    assert "CC BY-SA 4.0" in (BUNDLED / "README.md").read_text(encoding="utf-8")
    if not OFFICIAL.is_dir():
        pytest.skip(f"official HSDS 3.1 schemas not found at {OFFICIAL}: copies not compared")
    names = sorted(p.name for p in OFFICIAL.iterdir() if p.is_file())
    assert names == sorted(p.name for p in BUNDLED.iterdir() if p.is_file())
    # every schema and the licence byte for byte (each folder has its own README)
    _, mismatch, errors = filecmp.cmpfiles(OFFICIAL, BUNDLED, [n for n in names if n != "README.md"], shallow=False)
    assert mismatch == [] and errors == []


def test_format_checking_is_on():
    broken = copy.deepcopy(DOC["services"][0])
    broken["id"] = "not-a-uuid"
    broken["email"] = "not an email"
    broken["url"] = "example.org/no-scheme"
    broken["capacities"] = [
        {
            "id": broken["attributes"][0]["id"],
            "unit": {"id": broken["attributes"][0]["id"], "name": "places"},
            "available": 1,
            "updated": "yesterday",
        }
    ]
    messages = " | ".join(e.message for e in validator("service", registry_from(REFERENCE)).iter_errors(broken))
    for fmt in ("uuid", "email", "uri", "date-time"):
        assert f"is not a '{fmt}'" in messages, fmt


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(catalogs())
def test_any_catalog_exports_as_valid_hsds(catalog):
    doc = json.loads(json.dumps(export_catalog(catalog)))
    assert _errors(doc, REFERENCE) == []
    assert profile_errors(doc) == []  # and against the freechoice profile


def test_the_export_carries_the_profile_and_a_fact_breaking_it_is_named():
    doc = json.loads(json.dumps(DOC))
    assert doc["profile"] == profile() and profile_errors(doc) == []
    schema_ = doc["profile"]["attributes"]["fact:employment"]["schema"]
    assert isinstance(schema_, dict) and schema_["$defs"]["Employment"]["properties"]["sectors"]["items"]["enum"]
    svc = next(s for s in doc["services"] if any(a["label"] == "fact:employment" for a in s["attributes"]))
    attr = next(a for a in svc["attributes"] if a["label"] == "fact:employment")
    value = json.loads(attr["value"])
    value["sectors"] = ["piracy"]
    attr["value"] = json.dumps(value)
    sample = next(a for o in doc["organizations"] for a in o["attributes"] if a["label"] == "fact:sample")
    sample["value"] = "yes"
    errors = profile_errors(doc)
    assert any(e.startswith(f"service {svc['id']}: fact:employment: sectors/0: 'piracy' is not one of") for e in errors)
    assert any(e.endswith("fact:sample: the value is not JSON text") for e in errors)


def test_examples_in_the_docstrings_hold():
    for module in (infer, schema, vocabulary):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__
