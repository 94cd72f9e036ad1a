"""Facts about a (client, service) pair that need both sides: computed in Python.

durable-rules cannot join "client language in service languages" efficiently (see the
design note), so these relational facts are derived here, once per candidate, and rule
packs refer to them under ``match.*``. Each boolean comes with the detail a person
reads (``conflict_parties``, ``eligibility_problems``, ...) for rule texts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from freechoice.catalog import Service
from freechoice.catalog.codes import normalise_area

from .assessment import Assessment

__all__ = ["ClientView", "match_facts", "serves_place"]

_DOC_NAMES = {
    "passport": "a valid passport",
    "id_card": "a valid identity card",
    "work_permit": "a valid work permit",
}
_LIMIT_TEXT = {
    "light_work_only": "Has no light work, and you need light work for now",
    "no_sea_work": "Work at sea, which you do not want to do again",
    "no_night_work": "Includes night work, which you asked to avoid",
    "part_time_only": "Full-time only, and you asked for part-time work",
}


def _join(items: Any) -> str:
    items = sorted(items)
    if not items:
        return ""
    if len(items) == 1:
        return str(items[0])
    return ", ".join(items[:-1]) + " and " + items[-1]


@dataclass(frozen=True, slots=True)
class ClientView:
    """The parts of an assessment that matching reads, as sets (built once per request)."""

    languages: frozenset[str]
    no_contact: frozenset[str]
    fears: frozenset[str]
    avoid_sectors: frozenset[str]
    work_limits: frozenset[str]
    documents_valid: bool
    nationality: str | None
    gender: str | None
    age: int | None
    current: tuple[str, str | None]
    intended: tuple[str, str | None] | None

    @classmethod
    def of(cls, a: Assessment) -> "ClientView":
        s = a.situation
        intended = None
        if s.intended_location is not None:
            intended = (s.intended_location.country, normalise_area(s.intended_location.area))
        return cls(
            languages=frozenset(s.languages),
            no_contact=frozenset(s.no_contact_with),
            fears=frozenset(s.fears),
            avoid_sectors=frozenset(s.avoid_sectors),
            work_limits=frozenset(s.work_limits),
            documents_valid=s.documents == "valid",
            nationality=s.nationality,
            gender=s.gender,
            age=s.age,
            current=(s.location.country, normalise_area(s.location.area)),
            intended=intended,
        )


def serves_place(svc: Service, place: tuple[str, str | None]) -> bool:
    """Whether ``svc`` serves ``place`` ((country, normalised area)) in person, country-wide or remotely."""
    country, area = place
    for c, a in svc.places():
        if c != country:
            continue
        if svc.remote or a is None or area is None or normalise_area(a) == area:
            return True
    return False


def contact_parties(svc: Service) -> set[str]:
    """Who the client meets or whose hands their details reach through this service."""
    parties = set(svc.contact_with)
    if svc.reports_to_authorities == "mandatory":
        parties |= set(svc.reports_to)
    return parties


def match_facts(cv: ClientView, svc: Service) -> dict[str, Any]:
    """Every ``match.*`` fact of the pair, with readable details for rule texts."""
    parties = contact_parties(svc)
    conflict = parties & cv.no_contact
    feared = parties & cv.fears
    consent_feared = set(svc.reports_to) & cv.fears if svc.reports_to_authorities == "with_consent" else set()

    emp = svc.employment
    sectors = set(emp.sectors) if emp is not None else set()
    avoided = sectors & cv.avoid_sectors
    limit_problems = []
    if emp is not None:
        if "light_work_only" in cv.work_limits and not emp.light_work_available:
            limit_problems.append(_LIMIT_TEXT["light_work_only"])
        if "no_sea_work" in cv.work_limits and (emp.at_sea or "fishing" in sectors):
            limit_problems.append(_LIMIT_TEXT["no_sea_work"])
        if "no_night_work" in cv.work_limits and emp.night_work:
            limit_problems.append(_LIMIT_TEXT["no_night_work"])
        if "part_time_only" in cv.work_limits and emp.full_time:
            limit_problems.append(_LIMIT_TEXT["part_time_only"])

    el = svc.eligibility
    elig_problems = []
    if el.nationalities and cv.nationality is not None and cv.nationality not in el.nationalities:
        elig_problems.append(f"Only for nationals of {_join(el.nationalities)}")
    if el.genders and cv.gender is not None and cv.gender not in el.genders:
        elig_problems.append(f"Only for {_join(g if g != 'other' else 'other genders' for g in el.genders)} clients")
    if cv.age is not None:
        if el.minimum_age is not None and cv.age < el.minimum_age:
            elig_problems.append(f"Only for people aged {el.minimum_age} or over")
        if el.maximum_age is not None and cv.age > el.maximum_age:
            elig_problems.append(f"Only for people aged {el.maximum_age} or under")

    needed_docs = set(el.documents_required) | {d.code for d in svc.required_documents}
    missing = sorted(_DOC_NAMES[d] for d in needed_docs if d in _DOC_NAMES) if not cv.documents_valid else []

    cap = svc.capacity
    until = f" until {cap.until.isoformat()}" if cap.until else ""
    in_current = serves_place(svc, cv.current)
    in_intended = cv.intended is not None and serves_place(svc, cv.intended)
    return {
        "language_fit": not cv.languages or bool(cv.languages & set(svc.languages)),
        "interpretation": svc.interpretation,
        "in_current_place": in_current,
        "in_intended_place": in_intended,
        "contact_conflict": bool(conflict),
        "conflict_parties": _join(conflict),
        "feared_contact": bool(feared),
        "feared_parties": _join(feared),
        "consent_reporting_feared": bool(consent_feared),
        "sector_avoided": bool(avoided),
        "avoided_sectors": _join(s.replace("_", " ") for s in avoided),
        "work_limit_conflict": bool(limit_problems),
        "work_limit_problems": "; ".join(limit_problems),
        "eligible": not elig_problems,
        "eligibility_problems": "; ".join(elig_problems),
        "documents_missing": bool(missing),
        "missing_documents": _join(missing),
        "full": cap.status == "full",
        "full_until": until if cap.status == "full" else "",
        "waitlist_until": until if cap.status == "waitlist" else "",
        "movement_note": f": {svc.movement_note}" if svc.restricts_movement and svc.movement_note else "",
    }
