"""Hypothesis strategies for assessments and small generated catalogs (engine properties)."""

from __future__ import annotations

from hypothesis import strategies as st

from freechoice.catalog import NEED_IDS, PARTIES, SECTORS, WORK_LIMITS, Catalog
from freechoice.catalog.generate import generate_services
from freechoice.engine import Assessment, parse_assessment

__all__ = ["PLACES", "assessments", "catalogs", "places"]

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
        "nationality": draw(st.sampled_from(["MM", "KH", "LA", "TH"])),
        "languages": draw(st.lists(st.sampled_from(["my", "th", "km", "lo", "en"]), max_size=2, unique=True)),
        "gender": draw(st.sampled_from(["female", "male", "other", None])),
        "age": draw(st.none() | st.integers(15, 70)),
        "documents": draw(st.sampled_from(["valid", "expired", "lost", "confiscated", "fraudulent", "none"])),
        "fears": draw(st.lists(st.sampled_from(PARTIES), unique=True, max_size=3)),
        "avoid_sectors": draw(st.lists(st.sampled_from(SECTORS), unique=True, max_size=3)),
        "work_limits": draw(st.lists(st.sampled_from(WORK_LIMITS), unique=True, max_size=2)),
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
