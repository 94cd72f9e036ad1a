"""The service and provider models: what a partner may store, and the errors for the rest."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from pydantic import ValidationError
from strategies import organizations, services

from freechoice.catalog import (
    Employment,
    Organization,
    Service,
    ValidationFailed,
    parse_catalog,
)

ORG = {"id": "org-m", "name": "Model Test Org (fictional)", "sample": True}


def service(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "svc-m",
        "organization_id": "org-m",
        "name": "Meals",
        "kinds": ["food.meals"],
        "service_areas": [{"country": "TH", "area": "Trang"}],
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def problems(svc: dict[str, Any]) -> dict[str, str]:
    """field path -> message for a one-service catalog that must be refused."""
    with pytest.raises(ValidationFailed) as err:
        parse_catalog({"organizations": [ORG], "services": [svc]})
    return {p.field: p.message for p in err.value.problems}


def test_a_minimal_service_is_accepted_with_safe_defaults():
    cat = parse_catalog({"organizations": [ORG], "services": [service()]})
    s = cat.service("svc-m")
    assert s.status == "active" and s.reports_to_authorities == "never"
    assert not s.restricts_movement and not s.acts_without_client and not s.remote
    assert s.capacity.status == "open" and s.eligibility.nationalities is None
    assert not cat.sample and not cat.organization("org-m").description


def test_a_service_must_say_where_it_is():
    assert problems(service(service_areas=[])) == {
        "services.0": "Value error, a service needs a location or at least one service area"
    }


def test_reporting_to_authorities_must_name_who():
    msg = problems(service(reports_to_authorities="mandatory"))["services.0"]
    assert "reports_to must name who it reports to" in msg
    with pytest.raises(ValidationFailed) as err:
        parse_catalog({"organizations": [ORG], "services": [service(reports_to_authorities="sometimes")]})
    [bad] = err.value.problems
    assert bad.field == "services.0.reports_to_authorities"
    assert list(bad.allowed or []) == ["never", "with_consent", "mandatory"]


def test_a_job_placement_must_state_its_employment_facts():
    msg = problems(service(kinds=["job_placement.direct_employer"]))["services.0"]
    assert "employment facts" in msg
    fields = problems(service(kinds=["job_placement.direct_employer"], employment={"direct_hire": True}))
    assert {"services.0.employment.charges_recruitment_fees", "services.0.employment.sectors"} <= set(fields)
    assert "services.0.employment.sectors.0" in problems(
        service(
            kinds=["job_placement.direct_employer"],
            employment={"direct_hire": True, "charges_recruitment_fees": False, "sectors": ["mining"]},
        )
    )


def test_unknown_kinds_are_named_with_the_allowed_ones():
    found = problems(service(kinds=["food.free_lunch"], requires=["documents.passport"]))
    assert "food.free_lunch" in found["services.0.kinds"] and "food.meals" in found["services.0.kinds"]
    assert "documents.passport" in found["services.0.requires"]
    assert "documents.identity" in found["services.0.requires"]
    assert "services.0.kinds" in problems(service(kinds=[]))


def test_codes_are_checked():
    found = problems(
        service(
            service_areas=[{"country": "Thailand"}],
            languages=["burmese"],
            cost_options=[{"amount": 10, "currency": "baht"}],
        )
    )
    assert "ISO 3166-1" in found["services.0.service_areas.0.country"]
    assert "ISO 639-1" in found["services.0.languages.0"]
    assert "services.0.cost_options.0.currency" in found
    # ISO 639-3 is accepted where a language has no two-letter code (Mon: mnw)
    assert parse_catalog({"organizations": [ORG], "services": [service(languages=["my", "mnw"])]})


def test_bad_ages_capacity_and_ids_are_refused():
    assert (
        "minimum_age is greater than maximum_age"
        in problems(service(eligibility={"minimum_age": 30, "maximum_age": 18}))["services.0.eligibility"]
    )
    assert "services.0.capacity.status" in problems(service(capacity={"status": "closed"}))
    assert "services.0.capacity.until" in problems(service(capacity={"status": "full", "until": "soon"}))
    assert "services.0.id" in problems(service(id="svc with spaces"))
    assert "services.0.cost_options.0.amount" in problems(service(cost_options=[{"amount": -5}]))


def test_unknown_fields_are_refused_at_every_level():
    found = problems(service(colour="red", eligibility={"religion": "any"}, location={"country": "TH", "zip": "1"}))
    assert found == {
        "services.0.colour": "unknown field (not part of the format)",
        "services.0.eligibility.religion": "unknown field (not part of the format)",
        "services.0.location.zip": "unknown field (not part of the format)",
    }


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValidationFailed) as err:
        parse_catalog({"organizations": [{"id": "org-x"}], "services": [service(kinds=["x"]), {"id": "y"}]})
    fields = {p.field for p in err.value.problems}
    assert {"organizations.0.name", "services.0.kinds", "services.1.organization_id", "services.1.name"} <= fields


def test_models_are_immutable():
    s = Service.model_validate(service())
    with pytest.raises(ValidationError):
        s.name = "Other"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Organization.model_validate(ORG).sample = False  # type: ignore[misc]


def test_places_come_from_service_areas_else_the_location():
    areas = Service.model_validate(
        service(
            location={"country": "TH", "area": "Bangkok"},
            service_areas=[{"country": "TH"}, {"country": "MM", "area": "Yangon"}],
        )
    )
    assert areas.places() == [("TH", None), ("MM", "Yangon")]
    only_location = Service.model_validate(service(location={"country": "KH", "area": "Siem Reap"}, service_areas=[]))
    assert only_location.places() == [("KH", "Siem Reap")]


def test_wage_ratio_compares_the_wage_with_the_minimum():
    job = {"direct_hire": True, "charges_recruitment_fees": False, "sectors": ["garment"]}
    assert Employment(**job, wage_monthly=10800, minimum_wage_monthly=9000).wage_ratio == 1.2
    assert Employment(**job, wage_monthly=8700, minimum_wage_monthly=9000).wage_ratio == pytest.approx(0.967)
    assert Employment(**job, wage_monthly=10800).wage_ratio is None


@given(organizations(), services())
def test_any_storable_record_survives_a_json_round_trip(org, svc):
    assert Organization.model_validate_json(org.model_dump_json()) == org
    assert Service.model_validate_json(svc.model_dump_json()) == svc
    svc = svc.model_copy(update={"organization_id": org.id, "requires": [], "refers_to": []})
    raw = {"organizations": [org.model_dump(mode="json")], "services": [svc.model_dump(mode="json")]}
    assert parse_catalog(raw).service(svc.id) == svc
