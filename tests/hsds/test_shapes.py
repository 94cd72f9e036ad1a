"""Every shape HSDS 3.1 publishes imports to the same records: one service, a list, the
API Page envelope, an organisation with nested services, service_at_location records,
services with a nested organization, and the tabular data package (CSV)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from freechoice.catalog import ValidationFailed
from freechoice.catalog.hsds import parse_hsds, read_hsds

from . import real_world as rw


def _summary(result) -> dict:
    return {s.id: (s.organization_id, s.name, s.location.country if s.location else None) for s in result.services}


EXPECTED = {
    rw.SVC_1: (rw.ORG, "Unpaid wages legal clinic (FICTIONAL)", "TH"),
    rw.SVC_2: (rw.ORG, "Shelter for women and children (FICTIONAL)", "TH"),
}


def _document():
    return {"organizations": [rw.organization()], "services": rw.services()}


def _org_with_services():
    return {
        **rw.organization(),
        "services": [{k: v for k, v in s.items() if k != "organization_id"} for s in rw.services()],
    }


def _nested_org():
    return [
        {**{k: v for k, v in s.items() if k != "organization_id"}, "organization": rw.organization()}
        for s in rw.services()
    ]


SHAPES = {
    "document": _document,
    "list of services with nested organization": _nested_org,
    "page of services": lambda: rw.page(_nested_org()),
    "organization with nested services": _org_with_services,
    "page of organizations": lambda: rw.page([_org_with_services()]),
    "service_at_location records": rw.service_at_locations,
    "page of service_at_locations": lambda: rw.page(rw.service_at_locations()),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_every_json_shape_imports_the_same_services(shape: str):
    result = parse_hsds(SHAPES[shape]())
    assert _summary(result) == EXPECTED
    assert [o.id for o in result.organizations] == [rw.ORG]  # foreign UUIDs kept as ids
    assert result.organizations[0].name == "Riverside Migrant Rights (FICTIONAL)"


def test_one_service_with_its_nested_organization_imports_alone():
    svc = _nested_org()[1]
    result = parse_hsds(svc)
    assert _summary(result) == {rw.SVC_2: EXPECTED[rw.SVC_2]}


def test_a_service_at_several_locations_is_one_service_with_each_location():
    result = parse_hsds(rw.service_at_locations())
    assert len(result.services) == 2  # three records, two services
    first = next(s for s in result.services if s.id == rw.SVC_1)
    kept = first.hsds_source["record"]["service_at_locations"]
    assert sorted(x["location_id"] for x in kept) == sorted([rw.LOC_A, rw.LOC_B])


@pytest.mark.parametrize("package", [True, False], ids=["datapackage", "bare folder"])
def test_the_tabular_form_imports_like_the_nested_json(tmp_path: Path, package: bool):
    rw.write_tabular(tmp_path / "csv", package=package)
    doc = read_hsds(tmp_path / "csv")
    result = parse_hsds(doc)
    assert _summary(result) == EXPECTED
    one = next(s for s in doc["services"] if s["id"] == rw.SVC_1)
    # rows were linked into nested objects, numbers typed
    assert one["phones"][0]["extension"] == 12 and one["phones"][0]["languages"][0]["code"] == "my"
    assert {x["location"]["id"] for x in one["service_at_locations"]} == {rw.LOC_A, rw.LOC_B}
    assert one["capacities"][0]["unit"]["name"] == "places"
    assert one["contacts"][0]["phones"][0]["extension"] == 7


def test_a_number_column_holding_text_names_file_row_and_column(tmp_path: Path):
    rw.write_tabular(tmp_path / "csv")
    path = tmp_path / "csv" / "phones.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("extension")] = "twelve"
    path.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as err:
        read_hsds(tmp_path / "csv")
    assert "phones.csv[row 2].extension: not a number: 'twelve'" in str(err.value)


def test_a_package_path_outside_its_folder_is_refused(tmp_path: Path):
    rw.write_tabular(tmp_path / "csv")
    (tmp_path / "csv" / "datapackage.json").write_text(
        json.dumps({"resources": [{"name": "services", "path": "../secret.csv"}]}), encoding="utf-8"
    )
    (tmp_path / "secret.csv").write_text("id\n", encoding="utf-8")
    with pytest.raises(ValidationFailed, match="path outside the package folder"):
        read_hsds(tmp_path / "csv")
