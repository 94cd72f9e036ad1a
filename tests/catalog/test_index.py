"""The in-memory catalog: indexed retrieval, versions, and changes without a rebuild."""

from __future__ import annotations

import pytest

from freechoice.catalog import (
    Catalog,
    CatalogError,
    Organization,
    Service,
    ServiceArea,
    ValidationFailed,
    parse_catalog,
)

ORG = Organization(id="org-i", name="Index Test Org", sample=True)


def svc(sid: str, kind: str = "food.meals", country: str = "TH", area: str | None = "Songkhla", **kw) -> Service:
    return Service(
        id=sid, organization_id="org-i", name=sid, kinds=[kind],
        service_areas=[ServiceArea(country=country, area=area)], languages=kw.pop("languages", ["my"]), **kw,
    )


def test_candidates_by_kind_and_place_case_insensitive():
    cat = Catalog([ORG], [svc("a"), svc("b", area="Trang"), svc("c", kind="housing.shelter")])
    assert cat.candidates(["food.meals"], [("TH", "songkhla")]) == {"a"}
    assert cat.candidates(["food.meals", "housing.shelter"], [("TH", "SONGKHLA"), ("TH", "Trang")]) == {"a", "b", "c"}
    assert cat.candidates(["food.meals"], [("MM", "Songkhla")]) == set()


def test_country_wide_and_remote_services_serve_every_area_of_their_country():
    cat = Catalog([ORG], [svc("wide", area=None), svc("phone", area=None, remote=True), svc("mm", country="MM", area=None)])
    assert cat.candidates(["food.meals"], [("TH", "Ranong")]) == {"wide", "phone"}


def test_speaking_and_interpreting():
    cat = Catalog([ORG], [svc("my"), svc("km", languages=["km"], interpretation=True)])
    assert cat.speaking(["km"]) == {"km"}
    assert cat.interpreting() == {"km"}


def test_changes_move_the_version_and_the_indexes_follow():
    cat = Catalog([ORG], [svc("a")])
    v1 = cat.version
    cat.upsert_service(svc("a", area="Trang"))
    assert cat.version != v1
    assert cat.candidates(["food.meals"], [("TH", "Trang")]) == {"a"}
    assert cat.candidates(["food.meals"], [("TH", "Songkhla")]) == set()
    serial = cat.serial("a")
    cat.deactivate_service("a")
    assert cat.serial("a") != serial
    assert cat.candidates(["food.meals"], [("TH", "Trang")]) == set()
    assert cat.service("a").status == "inactive"


def test_equal_content_gives_equal_version():
    assert Catalog([ORG], [svc("a"), svc("b")]).version == Catalog([ORG], [svc("b"), svc("a")]).version


def test_unknown_organisation_and_duplicate_ids_are_catalog_errors():
    with pytest.raises(CatalogError, match="unknown organization_id"):
        Catalog([], [svc("a")])
    raw = {"organizations": [ORG.model_dump()], "services": [svc("a").model_dump(), svc("a").model_dump()]}
    with pytest.raises(CatalogError, match="duplicate service id"):
        parse_catalog(raw)


def test_bad_catalog_input_names_every_field():
    raw = {
        "organizations": [ORG.model_dump()],
        "services": [
            {"id": "x", "organization_id": "org-i", "name": "X", "kinds": ["food.free_lunch"],
             "service_areas": [{"country": "ZZ"}], "colour": "red"},
        ],
    }
    with pytest.raises(ValidationFailed) as err:
        parse_catalog(raw)
    fields = {p.field for p in err.value.problems}
    assert "services.0.kinds" in fields
    assert "services.0.service_areas.0.country" in fields
    assert "services.0.colour" in fields
    assert any("food.meals" in p.message for p in err.value.problems)
