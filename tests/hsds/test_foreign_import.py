"""Records from other directories (no freechoice taxonomy) import with what can be
inferred; what cannot be classified is kept, inactive, and reported; bad input is
rejected whole with every problem listed."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from freechoice.catalog import ValidationFailed
from freechoice.catalog.hsds import export_catalog, parse_hsds, read_hsds

OTHER = json.loads((Path(__file__).parent / "other_directory.json").read_text(encoding="utf-8"))
ORG = OTHER["organizations"][0]["id"]


def _by_name(result) -> dict:
    return {s.name: s for s in result.services}


def test_kinds_places_languages_and_capacity_are_inferred_and_reported():
    result = parse_hsds(copy.deepcopy(OTHER))
    got = _by_name(result)
    wages = got["Unpaid wages legal clinic"]
    assert wages.kinds == ["legal_aid.wage_claim"] and wages.status == "active"
    assert (wages.location.country, wages.location.area, wages.location.city) == ("TH", "Songkhla", "Hat Yai")
    drop_in = got["Drop-in centre"]
    assert drop_in.kinds == ["housing.shelter"]  # from the name of its taxonomy term
    assert drop_in.languages == ["en", "my"]  # "en-US" and "Burmese"
    assert (drop_in.capacity.status, drop_in.capacity.available, drop_in.capacity.maximum) == ("full", 0, 12)
    kitchen = got["Community kitchen"]
    assert kitchen.kinds == ["food.meals"]  # a term of the freechoice taxonomy, by uri
    assert [(a.country, a.area) for a in kitchen.service_areas] == [("TH", "Songkhla")]
    assert kitchen.cost_options[0].currency == "THB"
    assert {row["name"]: row["from"] for row in result.inferred} == {
        "Unpaid wages legal clinic": "word 'wage' in name",
        "Drop-in centre": "word 'shelter' in taxonomy term 'Emergency Shelter'",
        "Community kitchen": "freechoice kind named in a taxonomy term",
    }
    assert result.organizations[0].id == ORG  # foreign records keep their HSDS ids


def test_a_service_no_kind_fits_is_kept_inactive_and_listed_never_dropped():
    result = parse_hsds(copy.deepcopy(OTHER))
    assert len(result.services) == len(OTHER["services"])
    got = _by_name(result)
    for name in ("Community garden", "Migrant and parent support group"):  # "grant" is no word in "migrant"
        assert got[name].kinds == ["unclassified"] and got[name].status == "inactive"
    assert sorted(row["name"] for row in result.unclassified) == [
        "Community garden",
        "Migrant and parent support group",
    ]
    assert [(a.country, a.area) for a in got["Migrant and parent support group"].service_areas] == [("MM", None)]


def test_a_list_of_services_with_the_organisation_nested():
    services = copy.deepcopy(OTHER["services"])
    services[0]["organization"] = copy.deepcopy(OTHER["organizations"][0])
    result = parse_hsds(services)
    assert [o.name for o in result.organizations] == ["Harbour Workers Network (fictional)"]
    assert len(result.services) == len(services)


def test_importing_as_an_existing_organisation():
    result = parse_hsds(copy.deepcopy(OTHER["services"]), organization_id="org-open-door-houses")
    assert result.organizations == []
    assert {s.organization_id for s in result.services} == {"org-open-door-houses"}


def test_an_imported_directory_exports_with_its_own_ids_and_imports_again_the_same():
    first = parse_hsds(copy.deepcopy(OTHER))
    from freechoice.catalog import Catalog

    doc = json.loads(json.dumps(export_catalog(Catalog(first.organizations, first.services))))
    assert sorted(s["id"] for s in doc["services"]) == sorted(s["id"] for s in OTHER["services"])
    again = parse_hsds(doc)
    assert again.services == sorted(first.services, key=lambda s: s.id) and again.organizations == first.organizations
    assert again.inferred == [] and len(again.unclassified) == 2  # still waiting for someone to classify them


def test_a_folder_of_object_files(tmp_path: Path):
    doc = copy.deepcopy(OTHER)
    services = doc["services"]
    children: dict[str, list] = {"languages": [], "service_at_locations": [], "attributes": [], "capacities": []}
    locations, addresses = [], []
    for svc in services:
        for key in children:
            for item in svc.pop(key, []):
                if key == "service_at_locations":
                    loc = item.pop("location")
                    addresses += loc.pop("addresses")
                    locations.append(loc)
                children[key].append(item)
    files = {
        "organizations.json": doc["organizations"],
        "services.json": services,
        "taxonomy_terms.json": doc["taxonomy_terms"],
        "languages.json": children["languages"],
        "service_at_locations.json": children["service_at_locations"],
        "attributes.json": children["attributes"],
        "service_capacities.json": children["capacities"],
        "locations.json": locations,
        "addresses.json": addresses,
    }
    for name, items in files.items():
        (tmp_path / name).write_text(json.dumps(items), encoding="utf-8")
    nested = parse_hsds(copy.deepcopy(OTHER))
    flat = parse_hsds(read_hsds(tmp_path))
    assert sorted(flat.services, key=lambda s: s.id) == sorted(nested.services, key=lambda s: s.id)
    assert flat.organizations == nested.organizations


def test_every_problem_is_listed_with_object_id_field_and_allowed_values():
    bad = copy.deepcopy(OTHER)
    wages, migrant, drop_in = bad["services"][:3]
    del wages["name"]
    migrant["id"] = "not-a-uuid"
    migrant["status"] = "sometimes"
    drop_in["languages"][0]["code"] = 7
    with pytest.raises(ValidationFailed) as err:
        parse_hsds(bad)
    problems = {p.field: p for p in err.value.problems}
    assert f"service[{wages['id']}].name" in problems
    assert "service[not-a-uuid].id" in problems
    assert problems["service[not-a-uuid].status"].allowed == ["active", "inactive", "defunct", "temporarily closed"]
    assert f"service[{drop_in['id']}].languages.0.code" in problems
    assert len(err.value.problems) == 4


def test_model_problems_unknown_organisations_and_duplicates_are_listed_too():
    bad = copy.deepcopy(OTHER)
    bad["services"][0]["service_at_locations"] = []  # no place left for the wages clinic
    bad["services"][1]["organization_id"] = "11111111-2222-4333-8444-555555555555"
    bad["services"][2]["id"] = bad["services"][3]["id"]
    with pytest.raises(ValidationFailed) as err:
        parse_hsds(bad)
    text = str(err.value)
    assert "a service needs a location or at least one service area" in text
    assert "no organization '11111111-2222-4333-8444-555555555555' in the input" in text
    assert f"service[{bad['services'][3]['id']}].id: the id appears 2 times" in text


def test_not_json_or_no_file_is_a_clear_error(tmp_path: Path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValidationFailed, match="not valid JSON"):
        read_hsds(broken)
    with pytest.raises(ValidationFailed, match="no such file or folder"):
        read_hsds(tmp_path / "missing.json")
    with pytest.raises(ValidationFailed, match="expected HSDS services, organizations, service_at_locations"):
        parse_hsds({"organisations": []})
