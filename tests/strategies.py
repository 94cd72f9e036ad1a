"""Shared hypothesis strategies: any valid organisation, service or catalog.

Every field of the catalog models is drawn, including the awkward values (empty or
unicode text, odd but accepted e-mail and web addresses, times with microseconds,
old dates), so a property over these strategies covers what a partner could store.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from freechoice.catalog import Catalog
from freechoice.catalog.codes import country_codes, language_codes
from freechoice.catalog.models import (
    DOCUMENT_CODES,
    TRANSLATION_LANGUAGES,
    Capacity,
    CostOption,
    Eligibility,
    Employment,
    Location,
    Organization,
    OrganizationTexts,
    RequiredDocument,
    Schedule,
    Service,
    ServiceArea,
    ServiceTexts,
)
from freechoice.catalog.taxonomy import PARTIES, SECTORS, SERVICE_KIND_IDS

__all__ = ["catalogs", "ids", "organizations", "services", "texts"]

_COUNTRIES = sorted(country_codes())
_LANGUAGES = sorted(language_codes())

#: freechoice ids: readable slugs (the model's pattern), not UUIDs
ids = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._:-]{0,30}\Z")
texts = st.text(max_size=40)
_opt_text = st.none() | texts
_name = st.text(min_size=1, max_size=60)
_money = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)
_country = st.sampled_from(_COUNTRIES)
_parties = st.lists(st.sampled_from(PARTIES), max_size=3, unique=True)
# contact details as people type them: valid ones, and others HSDS formats reject
_email = st.none() | st.emails() | texts
_url = st.none() | st.sampled_from(["https://example.org/help", "http://example.net/a?b=c"]) | texts


def _location() -> st.SearchStrategy[Location]:
    return st.builds(
        Location,
        name=_opt_text,
        address_1=_opt_text,
        city=_opt_text,
        area=_opt_text,
        country=_country,
        latitude=st.none() | st.floats(-90, 90),
        longitude=st.none() | st.floats(-180, 180),
    )


_area = st.builds(ServiceArea, country=_country, area=_opt_text, name=_opt_text)
_cost = st.builds(
    CostOption,
    option=_opt_text,
    amount=st.none() | _money,
    currency=st.none() | st.from_regex(r"\A[A-Z]{3}\Z"),
    amount_description=_opt_text,
)
_schedule = st.builds(
    Schedule,
    description=_opt_text,
    byday=st.none() | st.sampled_from(["MO", "MO,TU,WE", "SA,SU"]),
    opens_at=st.none() | st.times(),
    closes_at=st.none() | st.times(),
)
_document = st.builds(RequiredDocument, code=st.sampled_from(DOCUMENT_CODES), document=texts)
_dates = st.none() | st.dates(min_value=dt.date(1900, 1, 1))


@st.composite
def _eligibility(draw: st.DrawFn) -> Eligibility:
    low = draw(st.none() | st.integers(0, 120))
    high = draw(st.none() | st.integers(low or 0, 120))
    return Eligibility(
        nationalities=draw(st.none() | st.lists(_country, max_size=3)),
        genders=draw(st.none() | st.lists(st.sampled_from(["female", "male", "other"]), max_size=3, unique=True)),
        minimum_age=low,
        maximum_age=high,
        documents_required=draw(st.lists(st.sampled_from(DOCUMENT_CODES), max_size=2, unique=True)),
        legal_status_required=draw(st.booleans()),
        description=draw(_opt_text),
    )


_employment = st.builds(
    Employment,
    direct_hire=st.booleans(),
    charges_recruitment_fees=st.booleans(),
    sectors=st.lists(st.sampled_from(SECTORS), min_size=1, max_size=3, unique=True),
    light_work_available=st.booleans(),
    at_sea=st.booleans(),
    night_work=st.booleans(),
    full_time=st.booleans(),
    wage_monthly=st.none() | _money,
    minimum_wage_monthly=st.none() | st.floats(1, 1e6),
    currency=st.none() | st.sampled_from(["THB", "MMK", "USD"]),
)
_capacity = st.builds(
    Capacity,
    status=st.sampled_from(["open", "waitlist", "full"]),
    until=_dates,
    updated=_dates,
    available=st.none() | st.integers(0, 10_000),
    maximum=st.none() | st.integers(0, 10_000),
)


def _translations(model: type[OrganizationTexts]) -> st.SearchStrategy[dict[str, OrganizationTexts]]:
    """Partner texts by client language: some fields given, in any script, with or without provenance."""
    fields = {f: (st.none() | (_name if f == "name" else texts)) for f in model.model_fields}
    given = st.fixed_dictionaries(fields).filter(lambda d: any(v for k, v in d.items() if k != "provenance"))
    texts_of = given.map(lambda d: model(**d))
    return st.dictionaries(st.sampled_from(TRANSLATION_LANGUAGES), texts_of, max_size=2)


def organizations(org_id: st.SearchStrategy[str] = ids) -> st.SearchStrategy[Organization]:
    """Any valid organisation."""
    return st.builds(
        Organization,
        id=org_id,
        name=_name,
        description=texts,
        email=_email,
        website=_url,
        phone=_opt_text,
        sample=st.booleans(),
        translations=_translations(OrganizationTexts),
    )


@st.composite
def services(
    draw: st.DrawFn,
    organization_ids: list[str] | None = None,
    service_id: str | None = None,
    refer_to: list[str] | None = None,
) -> Service:
    """Any valid service; ``organization_ids`` to choose the provider from, ``refer_to``
    the ids it may refer to (none by default, so catalogs stay free of cycles)."""
    kinds = draw(st.lists(st.sampled_from(SERVICE_KIND_IDS), min_size=1, max_size=3, unique=True))
    location = draw(st.none() | _location())
    areas = draw(st.lists(_area, min_size=0 if location else 1, max_size=3))
    mode = draw(st.sampled_from(["never", "with_consent", "mandatory"]))
    reports = draw(_parties.filter(bool) if mode != "never" else _parties)
    needs_job = "job_placement.direct_employer" in kinds
    fields: dict[str, Any] = dict(
        id=service_id or draw(ids),
        organization_id=draw(st.sampled_from(organization_ids)) if organization_ids else draw(ids),
        name=draw(_name),
        description=draw(texts),
        status=draw(st.sampled_from(["active", "inactive"])),
        kinds=kinds,
        location=location,
        service_areas=areas,
        remote=draw(st.booleans()),
        languages=draw(st.lists(st.sampled_from(_LANGUAGES), max_size=3)),
        interpretation=draw(st.booleans()),
        cost_options=draw(st.lists(_cost, max_size=2)),
        schedules=draw(st.lists(_schedule, max_size=2)),
        required_documents=draw(st.lists(_document, max_size=2)),
        eligibility=draw(st.just(Eligibility()) | _eligibility()),
        reports_to_authorities=mode,
        reports_to=reports,
        contact_with=draw(_parties),
        adverse_parties=draw(_parties),
        represents_without_attending=draw(st.booleans()),
        restricts_movement=draw(st.booleans()),
        movement_note=draw(_opt_text),
        acts_without_client=draw(st.booleans()),
        employment=draw(_employment if needs_job else st.none() | _employment),
        capacity=draw(st.just(Capacity()) | _capacity),
        requires=draw(st.lists(st.sampled_from(SERVICE_KIND_IDS), max_size=2)),
        refers_to=draw(st.lists(st.sampled_from(refer_to), max_size=2)) if refer_to else [],
        email=draw(_email),
        url=draw(_url),
        phone=draw(_opt_text),
        application_process=draw(_opt_text),
        translations=draw(_translations(ServiceTexts)),
    )
    return Service(**fields)


@st.composite
def catalogs(draw: st.DrawFn, max_services: int = 6) -> Catalog:
    """A valid catalog: a few organisations and services; services refer only to
    services drawn before them (so there is never a referral cycle), and ``requires``
    is left empty where it could close a cycle among kinds."""
    org_ids = draw(st.lists(ids, min_size=1, max_size=3, unique=True))
    orgs = [draw(organizations(st.just(i))) for i in org_ids]
    service_ids = draw(st.lists(ids, max_size=max_services, unique=True))
    svcs: list[Service] = []
    for i, sid in enumerate(service_ids):
        svc = draw(services(org_ids, sid, refer_to=service_ids[:i]))
        svcs.append(svc.model_copy(update={"requires": []}))
    return Catalog(orgs, svcs)
