"""A synthetic cohort calibrated to the pilot brief (fictional clients, seeded).

For each need, exactly round(share x size) clients rank it 4, where share is the
share of the 117 pilot clients who did (Issara Institute, 2017); other ranked needs
get 1-3. Situations are drawn from the places, languages and limits the brief names.

The hard cases are always in it (``HARD_CASES``, spread over the cohort, needs kept):
minors, clients who refuse contact with the employer, a broker or a suspect, a client
with no language recorded, undecided clients with and without places in mind, and
documented clients.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from freechoice.catalog import NEEDS

from .assessment import Assessment, parse_assessment

__all__ = [
    "BRIEF_COHORT_SIZE",
    "HARD_CASES",
    "describe_cohort",
    "synthetic_assessment_dicts",
    "synthetic_cohort",
]

BRIEF_COHORT_SIZE = 117

_TH_AREAS = ["Samut Sakhon", "Songkhla", "Trang", "Ranong", "Bangkok"]
_HOME = {
    "MM": (["Yangon", "Mon State", "Tanintharyi"], ["my"]),
    "KH": (["Phnom Penh", "Siem Reap", "Banteay Meanchey"], ["km"]),
    "LA": (["Vientiane", "Savannakhet"], ["lo"]),
}
_DOCS = ["valid", "expired", "lost", "confiscated", "confiscated", "fraudulent", "none"]


def _situation(rng: random.Random) -> dict[str, Any]:
    nationality = rng.choices(["MM", "KH", "LA"], weights=[70, 20, 10])[0]
    home_areas, langs = _HOME[nationality]
    languages = list(langs)
    if rng.random() < 0.3:
        languages.append("th")
    plan = rng.choices(["stay", "return_home", "move_elsewhere", "undecided"], weights=[45, 35, 5, 15])[0]
    here = {"country": "TH", "area": rng.choice(_TH_AREAS)}
    intended = None
    if plan == "return_home":
        intended = {"country": nationality, "area": rng.choice(home_areas)}
    elif plan == "move_elsewhere":
        intended = {"country": "TH", "area": rng.choice([a for a in _TH_AREAS if a != here["area"]])}
    fears = []
    if rng.random() < 10 / 117 * 3:
        fears.append("police")
    if rng.random() < 5 / 117 * 3:
        fears.append("employer")
    if rng.random() < 0.05:
        fears.append("suspect")
    no_contact = [f for f in fears if f in ("police",) and rng.random() < 0.5]
    if rng.random() < 0.15:
        no_contact.append("immigration")
    work_limits = []
    avoid = []
    if rng.random() < 0.35:
        avoid.append("fishing")
        work_limits.append("no_sea_work")
    if rng.random() < 0.12:
        work_limits.append("light_work_only")
    legal = ["wage_claim"] if rng.random() < 0.5 else []
    if rng.random() < 0.02:
        legal.append("criminal_case")
    return {
        "location": here,
        "plan": plan,
        "intended_location": intended,
        "nationality": nationality,
        "languages": languages,
        "gender": rng.choices(["male", "female"], weights=[70, 30])[0],
        "age": rng.randint(18, 55),
        "documents": rng.choice(_DOCS),
        "fears": sorted(set(fears)),
        "avoid_sectors": avoid,
        "work_limits": work_limits,
        "legal_interest": legal,
        "no_contact_with": sorted(set(no_contact)),
    }


# Situation changes applied to clients spread evenly over the cohort (fictional).
HARD_CASES: list[dict[str, Any]] = [
    {"age": 16},
    {"age": 15, "documents": "none"},
    {"age": 17, "plan": "return_home", "intended_location": {"country": "MM", "area": "Yangon"}, "nationality": "MM"},
    {"no_contact_with": ["employer"], "legal_interest": ["wage_claim"]},
    {"no_contact_with": ["broker"], "fears": ["broker"]},
    {"no_contact_with": ["suspect"], "legal_interest": ["criminal_case"]},
    {"no_contact_with": ["employer", "police"], "fears": ["employer", "police"]},
    {"languages": []},
    {
        "plan": "undecided",
        "intended_location": None,
        "possible_locations": [{"country": "TH", "area": "Bangkok"}, {"country": "MM", "area": "Mon State"}],
    },
    {"plan": "undecided", "intended_location": None, "possible_locations": []},
    {"documents": "valid"},
    {"documents": "valid", "plan": "stay", "intended_location": None},
]


def _with_hard_cases(dicts: list[dict[str, Any]]) -> None:
    size = len(dicts)
    for k, patch in enumerate(HARD_CASES[:size]):
        situation = dicts[k * size // min(size, len(HARD_CASES))]["situation"]
        situation.update(patch)
        if situation["plan"] not in ("return_home", "move_elsewhere", "undecided"):
            situation["intended_location"] = None


def describe_cohort(assessments: Sequence[Assessment]) -> str:
    """One line saying which hard cases the cohort holds."""
    sits = [a.situation for a in assessments]
    minors = sum(s.age is not None and s.age < 18 for s in sits)
    refuses = {p: sum(p in s.no_contact_with for s in sits) for p in ("employer", "broker", "suspect", "police")}
    undecided = [s for s in sits if s.plan == "undecided"]
    return (
        f"{len(sits)} clients: {minors} minors; no contact with "
        + ", ".join(f"{p} {n}" for p, n in refuses.items())
        + f"; no language recorded {sum(not s.languages for s in sits)}; undecided {len(undecided)} "
        f"({sum(bool(s.possible_locations) for s in undecided)} with places in mind); "
        f"valid documents {sum(s.documents == 'valid' for s in sits)}"
    )


def synthetic_assessment_dicts(size: int = BRIEF_COHORT_SIZE, seed: int = 2016) -> list[dict[str, Any]]:
    """Assessment dicts (the public JSON shape) for ``size`` fictional clients."""
    rng = random.Random(seed)
    needs: list[dict[str, int]] = [{} for _ in range(size)]
    for nid, need in NEEDS.items():
        fours = round(need.brief_share * size)
        for i in rng.sample(range(size), fours):
            needs[i][nid] = 4
    for ranked in needs:
        for nid in NEEDS:
            if nid not in ranked and rng.random() < 0.45:
                ranked[nid] = rng.randint(1, 3)
        if not ranked:
            ranked["current_expenses"] = 3
    dicts = [{"client_ref": f"demo-{i + 1:03d}", "needs": needs[i], "situation": _situation(rng)} for i in range(size)]
    _with_hard_cases(dicts)
    return dicts


def synthetic_cohort(size: int = BRIEF_COHORT_SIZE, seed: int = 2016) -> list[Assessment]:
    """The synthetic cohort as validated assessments (same seed, same cohort)."""
    return [parse_assessment(d) for d in synthetic_assessment_dicts(size, seed)]
