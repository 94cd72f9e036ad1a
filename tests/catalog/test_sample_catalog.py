"""The bundled sample catalog: fictional, marked as such, and rich enough to demo every rule."""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import resources
from urllib.parse import urlparse

import pytest

from freechoice.catalog import NEED_IDS, SERVICE_KINDS, Service, kinds_for_need, load_sample_catalog

CAT = load_sample_catalog()
SERVICES = list(CAT)
TEXT = resources.files("freechoice.catalog").joinpath("sample_catalog.yaml").read_text(encoding="utf-8")

THAI_AREAS = ("Samut Sakhon", "Songkhla", "Trang", "Ranong", "Bangkok")
MYANMAR_AREAS = ("Yangon", "Mon State", "Tanintharyi")
# the brief's ten most often top-ranked needs, in order
TOP_NEEDS = (
    "employment",
    "legal_proceedings",
    "identity_documents",
    "current_expenses",
    "compensation",
    "family_communication",
    "housing",
    "debt",
    "legal_information",
    "food",
)
# what a person going home to Myanmar asks for, by the kinds that answer it
RETURN_HOME = {
    "job": ("job_placement.direct_employer", "job_placement.self_employment_support"),
    "documents": ("documents.identity",),
    "family contact": ("family.contact_support",),
    "health": ("health.primary_care", "health.hospital", "health.psychosocial"),
    "training": ("training.vocational", "training.life_skills"),
    "housing": ("housing.shelter", "housing.rental_support"),
}
THAI_MINIMUM_WAGE = 9000  # THB a month, the pilot era's figure the sample uses


def test_it_is_marked_fictional_everywhere():
    assert CAT.sample
    assert "FICTIONAL" in TEXT.splitlines()[0]
    notice = re.search(r"^notice: (.*)$", TEXT, re.M)
    assert notice and "FICTIONAL" in notice.group(1) and "invented" in notice.group(1)
    assert all(o.sample for o in CAT.organizations.values())


def test_contact_details_are_obviously_fake():
    for org in CAT.organizations.values():
        assert org.email and org.email.endswith(".example.org"), org.id
        assert org.website and urlparse(org.website).hostname.endswith(".example.org"), org.id
        assert org.phone and re.fullmatch(r"\+00-000-0\d{3}", org.phone), org.id
    for s in SERVICES:
        assert s.email is None or s.email.endswith("example.org"), s.id
        assert s.url is None or urlparse(s.url).hostname.endswith("example.org"), s.id
        if s.location and s.location.address_1:
            assert "Fictional" in s.location.address_1, s.id


def test_size_and_spread():
    assert len(SERVICES) >= 90
    assert len(CAT.organizations) >= 32
    places = {(c, a) for s in SERVICES for c, a in s.places()}
    for area in THAI_AREAS:
        assert ("TH", area) in places
    for area in MYANMAR_AREAS:
        assert ("MM", area) in places
    assert {c for c, _ in places} >= {"TH", "MM", "KH", "LA"}
    assert {lang for s in SERVICES for lang in s.languages} >= {"my", "th", "km", "lo", "en"}


def test_every_service_kind_is_used():
    used = {k for s in SERVICES for k in s.kinds}
    assert used == set(SERVICE_KINDS) - {"unclassified"}


@pytest.mark.parametrize("need", NEED_IDS)
def test_every_need_has_an_active_service(need):
    everywhere = [(c, a) for s in SERVICES for c, a in s.places()]
    assert CAT.candidates(kinds_for_need(need), everywhere)


@pytest.mark.parametrize("area", THAI_AREAS)
def test_each_thai_area_has_a_service_for_each_top_need(area):
    missing = [n for n in TOP_NEEDS if not CAT.candidates(kinds_for_need(n), [("TH", area)])]
    assert missing == []


@pytest.mark.parametrize("area", MYANMAR_AREAS)
def test_each_myanmar_area_has_return_home_services(area):
    missing = [what for what, kinds in RETURN_HOME.items() if not CAT.candidates(kinds, [("MM", area)])]
    assert missing == []


def _job(s: Service) -> bool:
    return s.employment is not None


HARD_CASES: dict[str, Callable[[Service], bool]] = {
    "legal aid that must report to immigration": lambda s: (
        any(k.startswith("legal_aid.") for k in s.kinds)
        and s.reports_to_authorities == "mandatory"
        and "immigration" in s.reports_to
    ),
    "a closed shelter": lambda s: "housing.shelter" in s.kinds and s.restricts_movement and bool(s.movement_note),
    "an employer charging recruitment fees through a broker": lambda s: (
        _job(s)
        and s.employment.charges_recruitment_fees
        and not s.employment.direct_hire
        and "broker" in s.contact_with
    ),
    "a fishing-only employer at sea": lambda s: _job(s) and s.employment.sectors == ["fishing"] and s.employment.at_sea,
    "a document service that needs a police report": lambda s: (
        s.kinds[0].startswith("documents.")
        and "documents.police_report" in s.requires
        and "police_report" in {d.code for d in s.required_documents}
    ),
    "a police report service that takes the client to the police": lambda s: (
        "documents.police_report" in s.kinds and "police" in s.contact_with
    ),
    "a full service": lambda s: s.capacity.status == "full" and s.capacity.until is not None,
    "a waitlisted service": lambda s: s.capacity.status == "waitlist" and s.capacity.until is not None,
    "a remote hotline covering a whole country": lambda s: (
        s.remote and "safety.hotline" in s.kinds and any(a is None for _, a in s.places())
    ),
    "family tracing done without the client": lambda s: "family.tracing" in s.kinds and s.acts_without_client,
    "criminal case support meeting police and suspect": lambda s: (
        "legal_aid.criminal_case" in s.kinds and {"police", "suspect"} <= set(s.contact_with)
    ),
    "a wage claim referring on to the labour court": lambda s: (
        "legal_aid.wage_claim" in s.kinds and any("legal_aid.labour_court" in CAT.service(r).kinds for r in s.refers_to)
    ),
    "a service that reports only with consent": lambda s: (
        s.reports_to_authorities == "with_consent" and bool(s.reports_to)
    ),
    "self-employment support": lambda s: "job_placement.self_employment_support" in s.kinds,
    "a women-only service": lambda s: s.eligibility.genders == ["female"],
    "a service for one nationality only": lambda s: s.eligibility.nationalities == ["MM"],
    "a service with an age range": lambda s: (
        s.eligibility.minimum_age is not None and s.eligibility.maximum_age is not None
    ),
    "a job that needs legal status": lambda s: _job(s) and s.eligibility.legal_status_required,
    "a service with an interpreter": lambda s: s.interpretation,
    "a service in Thai/English only, no interpreter": lambda s: (
        not s.interpretation and set(s.languages) <= {"th", "en"} and bool(s.languages)
    ),
    "a service with a fee": lambda s: any((c.amount or 0) > 0 and c.currency for c in s.cost_options),
}


@pytest.mark.parametrize("case", HARD_CASES)
def test_the_hard_case_is_present(case):
    assert any(HARD_CASES[case](s) for s in SERVICES), case


def test_the_hard_cases_are_marked_in_the_file():
    lines = TEXT.splitlines()
    marked = [i for i, line in enumerate(lines) if line.startswith("# HARD CASE:")]
    assert len(marked) >= 15
    for i in marked:  # each marker sits right above a service
        assert lines[i + 1].startswith("- id: svc-"), lines[i]


def test_good_job_placements_exist_in_several_sectors():
    fair = [
        s
        for s in SERVICES
        if _job(s)
        and s.employment.direct_hire
        and not s.employment.charges_recruitment_fees
        and not any((c.amount or 0) > 0 for c in s.cost_options)
        and s.employment.wage_ratio is not None
        and s.employment.wage_ratio > 1
    ]
    sectors = {sector for s in fair for sector in s.employment.sectors}
    assert sectors >= {"seafood_processing", "manufacturing", "agriculture", "construction", "hospitality", "garment"}
    assert any(s.employment.light_work_available for s in fair)
    thai_full_time = [s for s in fair if s.employment.currency == "THB" and s.employment.full_time]
    assert thai_full_time
    assert all(s.employment.minimum_wage_monthly == THAI_MINIMUM_WAGE for s in thai_full_time)
    assert all(s.employment.wage_monthly > THAI_MINIMUM_WAGE for s in thai_full_time)


def test_every_job_placement_states_its_facts():
    for s in SERVICES:
        if "job_placement.direct_employer" in s.kinds:
            e = s.employment
            assert e is not None and e.wage_monthly and e.minimum_wage_monthly and e.currency, s.id


def test_costs_and_capacity_look_like_real_data():
    fees = {c.currency for s in SERVICES for c in s.cost_options if (c.amount or 0) > 0}
    assert fees >= {"THB", "MMK", "KHR", "LAK", "USD"}
    free = [s for s in SERVICES if s.cost_options and all((c.amount or 0) == 0 for c in s.cost_options)]
    assert len(free) > len(SERVICES) * 0.8
    for s in SERVICES:
        assert s.capacity.updated is not None and s.capacity.updated.year == 2026, s.id
        if s.capacity.status != "open":
            assert s.capacity.until is not None and s.capacity.until.year == 2027, s.id


def test_every_reference_resolves():
    for s in SERVICES:
        assert s.organization_id in CAT.organizations, s.id
        for ref in s.refers_to:
            assert ref in CAT, (s.id, ref)
    assert {s.organization_id for s in SERVICES} == set(CAT.organizations)  # no provider without a service


def test_the_ids_are_readable():
    assert all(re.fullmatch(r"org-[a-z0-9-]+", o) for o in CAT.organizations)
    assert all(re.fullmatch(r"svc-[a-z0-9-]+", s.id) for s in SERVICES)
    assert all(s.status == "active" for s in SERVICES)


@pytest.mark.parametrize("country", sorted({c for s in SERVICES for c, _ in s.places()}))
def test_every_country_has_child_protection_and_reception_for_returnees(country):
    kinds = {k for s in SERVICES if s.status == "active" and any(c == country for c, _ in s.places()) for k in s.kinds}
    assert "protection.child" in kinds
    assert "return.travel_reception" in kinds
