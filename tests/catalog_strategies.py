"""Hypothesis strategies for the indexed catalog: services drawn from a small pool of
kinds, places, languages and ids, so that services collide on the index keys
(the same area spelt in different cases, country-wide and remote services, one id
changed several times) and a property over them exercises every index bucket.
"""

from __future__ import annotations

from hypothesis import strategies as st

from freechoice.catalog import Location, Organization, Service, ServiceArea
from freechoice.catalog.codes import normalise_area

__all__ = [
    "INDEX_AREAS",
    "INDEX_COUNTRIES",
    "INDEX_KINDS",
    "INDEX_LANGUAGES",
    "INDEX_ORG",
    "INDEX_SERVICE_IDS",
    "catalog_edits",
    "index_places",
    "index_services",
    "serves_by_index_rules",
]

INDEX_KINDS = ("food.meals", "housing.shelter", "legal_aid.wage_claim")
INDEX_COUNTRIES = ("TH", "MM")
#: the same area in several spellings, another area, and the whole country
INDEX_AREAS = ("Songkhla", "SONGKHLA", " songkhla ", "Trang", None)
INDEX_LANGUAGES = ("my", "th", "km")
INDEX_SERVICE_IDS = ("svc-p0", "svc-p1", "svc-p2", "svc-p3", "svc-p4")
INDEX_ORG = Organization(id="org-prop", name="Property Test Org (fictional)", sample=True)

_place = st.tuples(st.sampled_from(INDEX_COUNTRIES), st.sampled_from(INDEX_AREAS))


def index_places() -> st.SearchStrategy[list[tuple[str, str | None]]]:
    """One to three (country, area) places a client could be in or go to."""
    return st.lists(_place, min_size=1, max_size=3)


@st.composite
def index_services(draw: st.DrawFn, service_id: str | None = None) -> Service:
    """A service of :data:`INDEX_ORG` over the small pool; in person at one location,
    or over one or two service areas, sometimes remote, sometimes inactive."""
    if draw(st.booleans()):
        country, area = draw(_place)
        where: dict = {"location": Location(country=country, area=area)}
    else:
        areas = draw(st.lists(_place, min_size=1, max_size=2))
        where = {"service_areas": [ServiceArea(country=c, area=a) for c, a in areas]}
    return Service(
        id=service_id or draw(st.sampled_from(INDEX_SERVICE_IDS)),
        organization_id=INDEX_ORG.id,
        name="Property test service",
        kinds=draw(st.lists(st.sampled_from(INDEX_KINDS), min_size=1, max_size=2, unique=True)),
        remote=draw(st.booleans()),
        status=draw(st.sampled_from(["active", "active", "inactive"])),
        languages=draw(st.lists(st.sampled_from(INDEX_LANGUAGES), max_size=2, unique=True)),
        interpretation=draw(st.booleans()),
        **where,
    )


def catalog_edits() -> st.SearchStrategy[list[tuple[str, object]]]:
    """A sequence of changes: ``("upsert", Service)`` or ``("deactivate", service_id)``,
    over the ids of :data:`INDEX_SERVICE_IDS` (so the same service changes repeatedly)."""
    edit = st.one_of(
        st.tuples(st.just("upsert"), index_services()),
        st.tuples(st.just("deactivate"), st.sampled_from(INDEX_SERVICE_IDS)),
    )
    return st.lists(edit, max_size=12)


def serves_by_index_rules(svc: Service, country: str, area: str | None) -> bool:
    """The documented place rule of ``Catalog.candidates``, written out plainly:
    same country, and the service is remote, covers the whole country, or covers the
    same area (compared case-insensitively)."""
    return any(
        c == country and (svc.remote or normalise_area(a) is None or normalise_area(a) == normalise_area(area))
        for c, a in svc.places()
    )
