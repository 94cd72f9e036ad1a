"""The in-memory catalog: indexed retrieval, versions, and changes without a rebuild."""

from __future__ import annotations

import pytest
from catalog_strategies import (
    INDEX_KINDS,
    INDEX_LANGUAGES,
    INDEX_ORG,
    catalog_edits,
    index_places,
    index_services,
    serves_by_index_rules,
)
from hypothesis import given
from hypothesis import strategies as st

from freechoice.catalog import (
    Catalog,
    CatalogError,
    Location,
    Organization,
    Service,
    ServiceArea,
    ValidationFailed,
    parse_catalog,
)

ORG = Organization(id="org-i", name="Index Test Org (fictional)", sample=True)


def svc(sid: str, kind: str = "food.meals", country: str = "TH", area: str | None = "Songkhla", **kw) -> Service:
    return Service(
        id=sid,
        organization_id="org-i",
        name=sid,
        kinds=[kind],
        service_areas=[ServiceArea(country=country, area=area)],
        languages=kw.pop("languages", ["my"]),
        **kw,
    )


# ---------------------------------------------------------------- retrieval
def test_candidates_by_kind_and_place_case_insensitive():
    cat = Catalog([ORG], [svc("a"), svc("b", area="Trang"), svc("c", kind="housing.shelter")])
    assert cat.candidates(["food.meals"], [("TH", "songkhla")]) == {"a"}
    assert cat.candidates(["food.meals"], [("TH", "  SONGKHLA ")]) == {"a"}
    assert cat.candidates(["food.meals", "housing.shelter"], [("TH", "SONGKHLA"), ("TH", "Trang")]) == {"a", "b", "c"}
    assert cat.candidates(["food.meals"], [("MM", "Songkhla")]) == set()
    assert cat.candidates(["health.hospital"], [("TH", "Songkhla")]) == set()


def test_a_service_with_only_a_location_is_found_at_that_location():
    at = Service(
        id="loc",
        organization_id="org-i",
        name="Clinic",
        kinds=["health.primary_care"],
        location=Location(country="TH", area="Ranong", city="Ranong"),
    )
    cat = Catalog([ORG], [at])
    assert cat.candidates(["health.primary_care"], [("TH", "ranong")]) == {"loc"}
    assert cat.candidates(["health.primary_care"], [("TH", "Trang")]) == set()


def test_service_areas_override_the_location():
    both = Service(
        id="both",
        organization_id="org-i",
        name="Desk",
        kinds=["food.meals"],
        location=Location(country="TH", area="Bangkok"),
        service_areas=[ServiceArea(country="TH", area="Trang")],
    )
    cat = Catalog([ORG], [both])
    assert cat.candidates(["food.meals"], [("TH", "Trang")]) == {"both"}
    assert cat.candidates(["food.meals"], [("TH", "Bangkok")]) == set()


def test_country_wide_and_remote_services_serve_every_area_of_their_country():
    cat = Catalog(
        [ORG],
        [
            svc("wide", area=None),
            svc("phone", area=None, remote=True),
            svc("mm", country="MM", area=None),
            svc("phone-songkhla", area="Songkhla", remote=True),
            svc("songkhla"),
        ],
    )
    assert cat.candidates(["food.meals"], [("TH", "Ranong")]) == {"wide", "phone", "phone-songkhla"}
    # a client whose area is unknown gets country-wide and remote services only
    assert cat.candidates(["food.meals"], [("TH", None)]) == {"wide", "phone", "phone-songkhla"}
    assert cat.candidates(["food.meals"], [("MM", "Yangon")]) == {"mm"}


def test_speaking_and_interpreting():
    cat = Catalog(
        [ORG],
        [
            svc("my"),
            svc("km", languages=["km", "th"], interpretation=True),
            svc("off", languages=["km"], interpretation=True, status="inactive"),
        ],
    )
    assert cat.speaking(["km"]) == {"km"}
    assert cat.speaking(["th", "my"]) == {"my", "km"}
    assert cat.speaking(["lo"]) == set()
    assert cat.interpreting() == {"km"}


# ---------------------------------------------------------------- changes
def test_moving_a_service_moves_it_in_the_index_and_moves_the_version():
    cat = Catalog([ORG], [svc("a"), svc("b", area="Trang")])
    v1 = cat.version
    cat.upsert_service(svc("a", area="Trang"))
    assert cat.version != v1
    assert cat.candidates(["food.meals"], [("TH", "Trang")]) == {"a", "b"}
    assert cat.candidates(["food.meals"], [("TH", "Songkhla")]) == set()


def test_changing_kind_or_language_updates_those_indexes():
    cat = Catalog([ORG], [svc("a")])
    cat.upsert_service(svc("a", kind="housing.shelter", languages=["th"]))
    assert cat.candidates(["food.meals"], [("TH", "Songkhla")]) == set()
    assert cat.candidates(["housing.shelter"], [("TH", "Songkhla")]) == {"a"}
    assert cat.speaking(["my"]) == set() and cat.speaking(["th"]) == {"a"}


def test_deactivated_services_stay_in_the_catalog_but_are_never_candidates():
    cat = Catalog([ORG], [svc("a", interpretation=True)])
    v1, serial = cat.version, cat.serial("a")
    returned = cat.deactivate_service("a")
    assert returned.status == "inactive" and cat.service("a").status == "inactive"
    assert "a" in cat and len(cat) == 1
    assert cat.version != v1 and cat.serial("a") != serial
    assert cat.candidates(["food.meals"], [("TH", "Songkhla")]) == set()
    assert cat.speaking(["my"]) == set() and cat.interpreting() == set()
    cat.upsert_service(svc("a"))  # reactivated
    assert cat.candidates(["food.meals"], [("TH", "Songkhla")]) == {"a"}


def test_removed_services_are_gone():
    cat = Catalog([ORG], [svc("a"), svc("b")])
    cat.remove_service("a")
    assert "a" not in cat and cat.get("a") is None
    assert cat.candidates(["food.meals"], [("TH", "Songkhla")]) == {"b"}
    assert cat.version == Catalog([ORG], [svc("b")]).version
    with pytest.raises(CatalogError, match="no service 'a'"):
        cat.remove_service("a")


def test_equal_content_gives_equal_version():
    assert Catalog([ORG], [svc("a"), svc("b")]).version == Catalog([ORG], [svc("b"), svc("a")]).version
    assert Catalog([ORG], [svc("a")]).version != Catalog([ORG], [svc("a", area="Trang")]).version
    renamed = ORG.model_copy(update={"name": "Renamed Org (fictional)"})
    assert Catalog([ORG], [svc("a")]).version != Catalog([renamed], [svc("a")]).version


def test_re_storing_the_same_service_keeps_the_version():
    cat = Catalog([ORG], [svc("a")])
    v1 = cat.version
    cat.upsert_service(svc("a"))
    assert cat.version == v1


def test_unknown_ids_are_catalog_errors():
    cat = Catalog([ORG], [svc("a")])
    with pytest.raises(CatalogError, match="no service 'zz'"):
        cat.service("zz")
    with pytest.raises(CatalogError, match="no service 'zz'"):
        cat.deactivate_service("zz")
    with pytest.raises(CatalogError, match="no organization 'org-zz'"):
        cat.organization("org-zz")


def test_a_service_of_an_unknown_organisation_is_refused_and_changes_nothing():
    with pytest.raises(CatalogError, match="unknown organization_id 'org-i'"):
        Catalog([], [svc("a")])
    cat = Catalog([ORG], [svc("a")])
    v1 = cat.version
    orphan = svc("b").model_copy(update={"organization_id": "org-missing"})
    with pytest.raises(CatalogError, match="org-missing"):
        cat.upsert_service(orphan)
    assert "b" not in cat and cat.version == v1


def test_duplicate_ids_in_a_catalog_file_are_catalog_errors():
    raw = {"organizations": [ORG.model_dump()], "services": [svc("a").model_dump(), svc("a").model_dump()]}
    with pytest.raises(CatalogError, match="duplicate service id.*: a"):
        parse_catalog(raw)
    raw = {"organizations": [ORG.model_dump(), ORG.model_dump()], "services": []}
    with pytest.raises(CatalogError, match="duplicate organization id.*: org-i"):
        parse_catalog(raw)


def test_bad_catalog_input_names_every_field():
    raw = {
        "organizations": [ORG.model_dump()],
        "services": [
            {
                "id": "x",
                "organization_id": "org-i",
                "name": "X",
                "kinds": ["food.free_lunch"],
                "service_areas": [{"country": "ZZ"}],
                "colour": "red",
            },
        ],
    }
    with pytest.raises(ValidationFailed) as err:
        parse_catalog(raw, source="my.yaml")
    by_field = {p.field: p for p in err.value.problems}
    assert set(by_field) == {"services.0.kinds", "services.0.service_areas.0.country", "services.0.colour"}
    assert "food.meals" in by_field["services.0.kinds"].message
    assert "ISO 3166-1" in by_field["services.0.service_areas.0.country"].message
    assert "unknown field" in by_field["services.0.colour"].message
    assert "my.yaml" in str(err.value)


# ---------------------------------------------------------------- properties
@given(
    services=st.lists(index_services(), max_size=8, unique_by=lambda s: s.id),
    kinds=st.lists(st.sampled_from(INDEX_KINDS), min_size=1, max_size=2),
    places=index_places(),
)
def test_candidates_are_exactly_the_active_services_of_those_kinds_in_those_places(services, kinds, places):
    cat = Catalog([INDEX_ORG], services)
    expected = {
        s.id
        for s in services
        if s.status == "active" and set(s.kinds) & set(kinds) and any(serves_by_index_rules(s, c, a) for c, a in places)
    }
    assert cat.candidates(kinds, places) == expected


@given(
    start=st.lists(index_services(), max_size=5, unique_by=lambda s: s.id),
    edits=catalog_edits(),
    kinds=st.lists(st.sampled_from(INDEX_KINDS), min_size=1, max_size=3),
    places=index_places(),
    languages=st.lists(st.sampled_from(INDEX_LANGUAGES), max_size=2),
)
def test_a_changed_catalog_answers_as_one_built_afresh(start, edits, kinds, places, languages):
    """Indexes kept up to date change by change give the same answers and the same
    version as a catalog built from scratch with the final services."""
    cat = Catalog([INDEX_ORG], start)
    final = {s.id: s for s in start}
    for op, arg in edits:
        if op == "upsert":
            cat.upsert_service(arg)
            final[arg.id] = arg
        elif arg in final:
            final[arg] = cat.deactivate_service(arg)
        else:
            with pytest.raises(CatalogError):
                cat.deactivate_service(arg)
    fresh = Catalog([INDEX_ORG], list(final.values()))
    assert cat.version == fresh.version
    assert cat.candidates(kinds, places) == fresh.candidates(kinds, places)
    assert cat.speaking(languages) == fresh.speaking(languages)
    assert cat.interpreting() == fresh.interpreting()
    assert {s.id: s for s in cat} == final
