"""Another directory's records come back out as they went in: what a caseworker reads
aloud (application process, fees, alternate names, contacts and their phones, phone
extensions and languages, full schedules, transport and accessibility, addresses as
given) and what a directory syncs (every child UUID, last_modified, the fields
freechoice does not use), also after a trip through the database. Impossible values
are refused (strict) or left out and reported (lenient)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from freechoice.catalog import Catalog, ValidationFailed
from freechoice.catalog.db import Database, import_catalog, load_catalog
from freechoice.catalog.hsds import export_catalog, parse_hsds, read_hsds, validator
from freechoice.catalog.hsds.vocabulary import taxonomy_objects

from . import real_world as rw

OURS = {t["id"] for t in taxonomy_objects()[1]}
OFFICIAL = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "hsds-3.1"


def _document():
    return {"organizations": [rw.organization()], "services": rw.services()}


def _exported(result) -> dict:
    return json.loads(json.dumps(export_catalog(Catalog(result.organizations, result.services))))


def test_services_export_back_exactly_as_the_other_directory_published_them():
    doc = _exported(parse_hsds(_document()))
    by_id = {s["id"]: s for s in doc["services"]}
    for original in rw.services():
        out = by_id[original["id"]]
        kinds = [a for a in out["attributes"] if a["taxonomy_term_id"] in OURS]
        assert kinds, "the freechoice kinds travel as attributes"
        theirs = {**out, "attributes": [a for a in out["attributes"] if a["taxonomy_term_id"] not in OURS]}
        assert theirs == original
    org = doc["organizations"][0]
    assert {k: v for k, v in org.items() if k != "attributes"} == rw.organization()


def test_what_a_caseworker_reads_aloud_survives_the_round_trip():
    out = {s["id"]: s for s in _exported(parse_hsds(_document()))["services"]}[rw.SVC_1]
    assert out["application_process"] == "Walk in, or call and ask for the duty caseworker."
    assert out["fees_description"].startswith("Free; court fees") and out["alternate_name"] == "Wage clinic"
    contact = out["contacts"][0]
    assert (contact["name"], contact["phones"][0]["number"], contact["phones"][0]["extension"]) == (
        "Somchai P.",
        "+66 81 000 0000",
        7,
    )
    assert out["phones"][0]["extension"] == 12 and out["phones"][0]["languages"][0]["name"] == "Burmese"
    schedule = out["schedules"][0]
    assert {k: schedule[k] for k in ("freq", "interval", "byday", "dtstart", "until", "count", "wkst", "timezone")} == {
        "freq": "WEEKLY",
        "interval": 1,
        "byday": "MO,WE",
        "dtstart": "2026-01-05",
        "until": "2026-12-31",
        "count": 50,
        "wkst": "MO",
        "timezone": 7,
    }
    location = out["service_at_locations"][1]["location"]
    assert location["transportation"].startswith("Bus 12") and location["accessibility"][0]["description"]
    address = location["addresses"][0]
    assert (address["address_2"], address["region"], address["postal_code"], address["attention"]) == (
        "Building B, 2nd floor",
        "South",
        "90110",
        "Reception",
    )
    assert out["last_modified"] == "2026-11-20T10:15:00+07:00"
    assert out["service_at_locations"][1]["location"]["id"] == rw.LOC_B  # source UUIDs kept


def test_the_export_with_kept_records_is_valid_hsds():
    doc = _exported(parse_hsds(_document()))
    for name, key in (("service", "services"), ("organization", "organizations")):
        v = validator(name)
        assert [e.message for obj in doc[key] for e in v.iter_errors(obj)] == []


def test_kept_records_survive_the_database_and_an_edit_keeps_the_unused_fields(tmp_path: Path):
    db = Database(f"sqlite:///{tmp_path / 'c.db'}")
    try:
        db.upgrade()
        parsed = parse_hsds(_document())
        with db.writing() as s:
            import_catalog(s, parsed.organizations, parsed.services, actor="test")
        with db.session() as s:
            stored = load_catalog(s)[0]
    finally:
        db.dispose()
    assert _exported(parsed) == json.loads(json.dumps(export_catalog(stored)))
    svc = stored.get(rw.SVC_2)
    edited = svc.model_copy(update={"name": "Shelter (renamed in freechoice)"})
    out = json.loads(json.dumps(export_catalog(Catalog(stored.organizations.values(), [edited]))))["services"][0]
    assert out["name"] == "Shelter (renamed in freechoice)"
    assert out["application_process"] == rw.services()[1]["application_process"]  # unused fields still there
    assert out["funding"] == rw.services()[1]["funding"] and out["program"]["id"] == rw.PROGRAM


def _with_latitude_100() -> dict:
    doc = _document()
    doc["services"][1]["service_at_locations"][0]["location"]["latitude"] = 100
    return doc


def test_strict_refuses_a_file_with_an_impossible_latitude():
    with pytest.raises(ValidationFailed) as err:
        parse_hsds(_with_latitude_100())
    assert f"service[{rw.SVC_2}].service_at_locations.0.location.latitude: 100 is not a latitude" in str(err.value)


def test_lenient_imports_the_record_without_the_impossible_value_and_reports_it():
    result = parse_hsds(_with_latitude_100(), lenient=True)
    assert sorted(s.id for s in result.services) == sorted([rw.SVC_1, rw.SVC_2])
    assert result.report()["dropped"] == [
        {
            "record": f"service[{rw.SVC_2}]",
            "field": "service_at_locations.0.location.latitude",
            "value": "100",
            "why": "100 is not a latitude (allowed: -90 to 90)",
        }
    ]
    svc = next(s for s in result.services if s.id == rw.SVC_2)
    assert svc.location is not None and svc.location.latitude is None and svc.location.longitude == 100.4747
    out = {s["id"]: s for s in _exported(result)["services"]}[rw.SVC_2]
    assert "latitude" not in out["service_at_locations"][0]["location"]


def test_lenient_drops_a_value_of_the_wrong_type_and_refuses_what_cannot_be_read():
    doc = _document()
    doc["services"][0]["phones"][0]["extension"] = "twelve"
    del doc["services"][1]["name"]
    with pytest.raises(ValidationFailed):
        parse_hsds(copy.deepcopy(doc))
    result = parse_hsds(doc, lenient=True)
    assert [s.id for s in result.services] == [rw.SVC_1]
    assert [(d["field"], d["value"]) for d in result.dropped] == [("phones.0.extension", "'twelve'")]
    assert [r["record"] for r in result.refused] == [f"service[{rw.SVC_2}]"] and "name" in result.refused[0]["why"]


@pytest.mark.skipif(
    not (OFFICIAL / "examples").is_dir(), reason=f"the specification's examples are not at {OFFICIAL / 'examples'}"
)
@pytest.mark.parametrize(
    "name",
    [
        "service_full.json",
        "organization_full.json",
        "service_at_location_full.json",
        "service_list.json",
        "organization_list.json",
        "service_at_location_list.json",
        "csv",
    ],
)
def test_the_specifications_own_examples_import_and_export_back(name: str):
    path = OFFICIAL / "examples" / name
    if not path.exists():
        pytest.skip(f"no {path}")
    result = parse_hsds(read_hsds(path), lenient=True)
    assert result.services or result.organizations
    doc = _exported(result)
    originals = {s.id: s.hsds_source["record"] for s in result.services if s.hsds_source}
    for out in doc["services"]:
        if out["id"] in originals:
            kept = originals[out["id"]]
            for field in (
                "name",
                "application_process",
                "fees_description",
                "alternate_name",
                "contacts",
                "phones",
                "schedules",
                "service_at_locations",
                "last_modified",
            ):
                assert out.get(field) == kept.get(field), field
