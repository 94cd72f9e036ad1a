"""Hypothesis strategies for assessments and small generated catalogs (engine properties)."""

from __future__ import annotations

from hypothesis import strategies as st

from freechoice.catalog import NEED_IDS, PARTIES, SECTORS, WORK_LIMITS, Catalog, Organization, Service
from freechoice.catalog.generate import generate_services
from freechoice.engine import Assessment, parse_assessment

__all__ = ["PLACES", "assessments", "catalogs", "pathway_catalogs", "places"]

PLACES = [("TH", "Songkhla"), ("TH", "Bangkok"), ("MM", "Yangon")]
places = st.sampled_from([{"country": c, "area": a} for c, a in PLACES])


@st.composite
def assessments(draw: st.DrawFn) -> Assessment:
    needs = draw(st.dictionaries(st.sampled_from(NEED_IDS), st.integers(1, 4), min_size=1, max_size=10))
    plan = draw(st.sampled_from(["stay", "return_home", "move_elsewhere", "undecided"]))
    intended = draw(places) if plan in ("return_home", "move_elsewhere") else draw(st.none() | places)
    situation = {
        "location": draw(places),
        "plan": plan,
        "intended_location": intended,
        "possible_locations": draw(st.lists(places, max_size=2)) if plan == "undecided" else [],
        "nationality": draw(st.sampled_from(["MM", "KH", "LA", "TH"])),
        "languages": draw(st.lists(st.sampled_from(["my", "th", "km", "lo", "en"]), max_size=2, unique=True)),
        "gender": draw(st.sampled_from(["female", "male", "other", None])),
        "age": draw(st.none() | st.integers(15, 70)),
        "documents": draw(st.sampled_from(["valid", "expired", "lost", "confiscated", "fraudulent", "none"])),
        "fears": draw(st.lists(st.sampled_from(PARTIES), unique=True, max_size=3)),
        "avoid_sectors": draw(st.lists(st.sampled_from(SECTORS), unique=True, max_size=3)),
        "work_limits": draw(st.lists(st.sampled_from(WORK_LIMITS), unique=True, max_size=2)),
        "work_choices": draw(st.lists(st.sampled_from(["night_work", "sea_work"]), unique=True)),
        "legal_interest": draw(st.lists(st.sampled_from(["wage_claim", "criminal_case"]), unique=True)),
        "no_contact_with": draw(st.lists(st.sampled_from(PARTIES), unique=True, max_size=3)),
    }
    return parse_assessment({"client_ref": "c-prop", "needs": needs, "situation": situation})


@st.composite
def catalogs(draw: st.DrawFn, min_size: int = 20, max_size: int = 120) -> Catalog:
    n = draw(st.integers(min_size, max_size))
    seed = draw(st.integers(0, 10_000))
    orgs, services = generate_services(n, seed=seed, places=PLACES)
    return Catalog(orgs, services, sample=True)


# kinds in an order that only ever requires later ones (so no generated catalog has a cycle)
_PATH_KINDS = (
    "job_placement.direct_employer",
    "legal_aid.wage_claim",
    "legal_aid.labour_court",
    "legal_aid.criminal_case",
    "legal_aid.information",
    "safety.protection",
    "housing.shelter",
    "documents.work_permit",
    "documents.identity",
    "documents.police_report",
)


@st.composite
def pathway_catalogs(draw: st.DrawFn, max_services: int = 14) -> Catalog:
    """Small catalogs dense in pathways: services that require kinds, ask for police
    reports, refer on to each other, and bring contact with parties (fictional)."""
    org = Organization(id="org-path", name="Pathway Test Org (fictional)", sample=True)
    n = draw(st.integers(1, max_services))
    services: list[Service] = []
    for i in range(n):
        k = draw(st.integers(0, len(_PATH_KINDS) - 1))
        kind = _PATH_KINDS[k]
        later = list(_PATH_KINDS[k + 1 :])
        country, area = draw(st.sampled_from(PLACES))
        mode = draw(st.sampled_from(["never", "never", "with_consent", "mandatory"]))
        fields = dict(
            id=f"svc-{i}",
            organization_id=org.id,
            name=f"Service {i}",
            kinds=[kind],
            service_areas=[{"country": country, "area": draw(st.sampled_from([area, None]))}],
            languages=draw(st.sampled_from([["my", "th"], ["my", "th", "km", "lo", "en"]])),
            contact_with=draw(st.lists(st.sampled_from(PARTIES), max_size=2, unique=True)),
            reports_to_authorities=mode,
            reports_to=draw(
                st.lists(st.sampled_from(PARTIES), min_size=1 if mode != "never" else 0, max_size=2, unique=True)
            ),
            requires=draw(st.lists(st.sampled_from(later), max_size=2, unique=True)) if later else [],
            required_documents=[{"code": "police_report", "document": "police report"}]
            if draw(st.booleans()) and "documents.police_report" in later
            else [],
            refers_to=draw(st.lists(st.sampled_from([s.id for s in services]), max_size=2, unique=True))
            if services
            else [],
            capacity={"status": draw(st.sampled_from(["open", "open", "waitlist", "full"]))},
        )
        if kind == "job_placement.direct_employer":
            fields["employment"] = {"direct_hire": True, "charges_recruitment_fees": False, "sectors": ["construction"]}
            fields["eligibility"] = {"legal_status_required": draw(st.booleans())}
        services.append(Service.model_validate(fields))
    return Catalog([org], services, sample=True)
