"""Facts about a (client, service) pair that need both sides: computed in Python.

durable-rules cannot join "client language in service languages" efficiently (see the
design note), so these relational facts are derived here, once per candidate, and rule
packs refer to them under ``match.*``. Each boolean comes with the detail a person
reads (``conflict_parties``, ``eligibility_problems``, ...) for rule texts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from freechoice.catalog import SERVICE_KINDS, Service, ServiceCard
from freechoice.catalog.codes import normalise_area

from .assessment import Assessment
from .language import language_name
from .ordering import place_rank_of
from .text.markers import N_

__all__ = [
    "CARD_FACTS",
    "CardProfile",
    "ClientView",
    "MatchFacts",
    "PREDICATE_TEXTS",
    "card_facts",
    "card_profile",
    "fact_reader",
    "match_facts",
    "profile_facts",
    "serves_place",
    "service_place_rank",
]

_DOC_NAMES = {
    "passport": N_("a valid passport"),
    "id_card": N_("a valid identity card"),
    "work_permit": N_("a valid work permit"),
}
#: what stands in the way of a service, and the words for who a client meets
PREDICATE_TEXTS = {
    "or": N_("{a} or {b}"),
    "your-language": N_("your language"),
    "the-party": N_("the {party}"),
    "only-staff": N_("only the staff of this service"),
    "case-against": N_("The case is against {parties}. "),
    "until": N_(" until {date}"),
    "nationals": N_("Only for nationals of {countries}"),
    "genders": N_("Only for {genders} clients"),
    "other-genders": N_("other genders"),
    "min-age": N_("Only for people aged {age} or over"),
    "max-age": N_("Only for people aged {age} or under"),
}
_LIMIT_TEXT = {
    "light_work_only": N_("Has no light work, and you need light work for now"),
    "no_sea_work": N_("Work at sea, which you do not want to do again"),
    "no_night_work": N_("Includes night work, which you asked to avoid"),
    "part_time_only": N_("Full-time only, and you asked for part-time work"),
}


def _or(items: list[str]) -> str:
    out = items[0] if items else ""
    for item in items[1:]:
        out = PREDICATE_TEXTS["or"].format(a=out, b=item)
    return out


def _join(values: Any) -> str:
    items = [str(v) for v in sorted(values)]
    if not items:
        return ""
    if len(items) == 1:
        return str(items[0])
    return ", ".join(items[:-1]) + " and " + items[-1]


@dataclass(frozen=True, slots=True)
class ClientView:
    """The parts of an assessment that matching reads, as sets (built once per request)."""

    languages: frozenset[str]
    language_order: tuple[str, ...]
    language_names: str
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
    def of(cls, a: Assessment) -> ClientView:
        s = a.situation
        intended = None
        if s.intended_location is not None:
            intended = (s.intended_location.country, normalise_area(s.intended_location.area))
        return cls(
            languages=frozenset(s.languages),
            language_order=tuple(s.languages),
            language_names=_or([language_name(c) for c in s.languages]) or PREDICATE_TEXTS["your-language"],
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


class _ServiceSide(NamedTuple):
    """What matching reads from one service, worked out once per service object (a named
    tuple: quick to make, as a national catalog's candidates are many). The words only
    rule texts read (whom the client meets, until when a place is full...) are worked out
    from ``svc`` when read: see the ``_FACTS`` that name them."""

    svc: Service | ServiceCard
    parties: frozenset[str]
    adverse: frozenset[str]
    consent_reports: frozenset[str]
    sectors: frozenset[str]
    employer: bool
    light_work: bool
    sea_work: bool
    night_work: bool
    full_time: bool
    nationalities: tuple[str, ...]
    genders: tuple[str, ...]
    minimum_age: int | None
    maximum_age: int | None
    documents: tuple[str, ...]
    places: tuple[tuple[str, str | None], ...]
    remote: bool
    languages: frozenset[str]
    full: bool
    interpretation: bool
    located: tuple[str, str | None] | None  # (country, normalised area) of the service's own place


# id(service) -> (service, its side); the service is kept so the id cannot be reused
_SIDES: dict[int, tuple[Service | ServiceCard, _ServiceSide]] = {}
_SIDES_LIMIT = 10_000  # bounded: not one per service of a large catalog
_NONE: frozenset[str] = frozenset()


def _side(svc: Service | ServiceCard) -> _ServiceSide:
    hit = _SIDES.get(id(svc))
    if hit is not None and hit[0] is svc:
        return hit[1]
    emp = svc.employment
    el = svc.eligibility
    if emp is not None:
        sectors = frozenset(emp.sectors)
        work = (True, emp.light_work_available, emp.at_sea or "fishing" in sectors, emp.night_work, emp.full_time)
    else:
        sectors = _NONE
        work = (False, False, False, False, False)
    needed = el.documents_required
    if svc.required_documents:
        needed = {*needed, *(d.code for d in svc.required_documents)}
    loc = svc.location
    side = _ServiceSide(
        svc,
        frozenset(contact_parties(svc)),
        frozenset(svc.adverse_parties) if svc.adverse_parties else _NONE,
        frozenset(svc.reports_to) if svc.reports_to_authorities == "with_consent" and svc.reports_to else _NONE,
        sectors,
        *work,
        tuple(el.nationalities or ()),
        tuple(el.genders or ()),
        el.minimum_age,
        el.maximum_age,
        tuple(sorted(_DOC_NAMES[d] for d in set(needed) if d in _DOC_NAMES)) if needed else (),
        tuple((c, normalise_area(a)) for c, a in svc.places()),
        svc.remote,
        frozenset(svc.languages),
        svc.capacity.status == "full",
        svc.interpretation,
        (loc.country, normalise_area(loc.area)) if loc is not None else None,
    )
    if len(_SIDES) >= _SIDES_LIMIT:
        _SIDES.clear()
    _SIDES[id(svc)] = (svc, side)
    return side


def _until(side: _ServiceSide, status: str) -> str:
    cap = side.svc.capacity
    if cap.status != status or not cap.until:
        return ""
    return PREDICATE_TEXTS["until"].format(date=cap.until.isoformat())


def _will_meet(side: _ServiceSide) -> str:
    the = PREDICATE_TEXTS["the-party"]
    return _join(the.format(party=p) for p in side.parties) or PREDICATE_TEXTS["only-staff"]


def _case_against(side: _ServiceSide) -> str:
    adverse = side.svc.adverse_parties
    if not adverse:
        return ""
    the = PREDICATE_TEXTS["the-party"]
    return PREDICATE_TEXTS["case-against"].format(parties=_join(the.format(party=p) for p in adverse))


def _movement_note(side: _ServiceSide) -> str:
    svc = side.svc
    return f": {svc.movement_note}" if svc.restricts_movement and svc.movement_note else ""


def _serves(side: _ServiceSide, place: tuple[str, str | None]) -> bool:
    country, area = place
    for c, a in side.places:
        if c == country and (side.remote or a is None or area is None or a == area):
            return True
    return False


def service_place_rank(svc: Service | ServiceCard, places: Sequence[tuple[str, str | None]]) -> int:
    """:func:`.ordering.place_rank` of ``svc`` for the client's ``places`` (areas already
    normalised), from the parts worked out once per service."""
    side = _side(svc)
    return place_rank_of(side.remote, side.located, side.places, places)


def serves_place(svc: Service | ServiceCard, place: tuple[str, str | None]) -> bool:
    """Whether ``svc`` serves ``place`` ((country, normalised area)) in person, country-wide or remotely."""
    return _serves(_side(svc), place)


def contact_parties(svc: Service | ServiceCard) -> set[str]:
    """Who the client meets or whose hands their details reach through this service:
    its ``contact_with``, whom it must report to, and whom its kinds imply (filing a
    police report means the police)."""
    parties: set[str] = set(svc.contact_with)
    if svc.reports_to_authorities == "mandatory":
        parties |= set(svc.reports_to)
    for kind in svc.kinds:
        parties.update(SERVICE_KINDS[kind].implies_contact)
    return parties


def _limit_problems(cv: ClientView, side: _ServiceSide) -> list[str]:
    problems: list[str] = []
    if side.employer and cv.work_limits:
        limits = cv.work_limits
        if "light_work_only" in limits and not side.light_work:
            problems.append(_LIMIT_TEXT["light_work_only"])
        if "no_sea_work" in limits and side.sea_work:
            problems.append(_LIMIT_TEXT["no_sea_work"])
        if "no_night_work" in limits and side.night_work:
            problems.append(_LIMIT_TEXT["no_night_work"])
        if "part_time_only" in limits and side.full_time:
            problems.append(_LIMIT_TEXT["part_time_only"])
    return problems


def _eligibility_problems(cv: ClientView, side: _ServiceSide) -> list[str]:
    problems: list[str] = []
    if side.nationalities and cv.nationality is not None and cv.nationality not in side.nationalities:
        problems.append(PREDICATE_TEXTS["nationals"].format(countries=_join(side.nationalities)))
    if side.genders and cv.gender is not None and cv.gender not in side.genders:
        genders = _join(g if g != "other" else PREDICATE_TEXTS["other-genders"] for g in side.genders)
        problems.append(PREDICATE_TEXTS["genders"].format(genders=genders))
    if cv.age is not None:
        if side.minimum_age is not None and cv.age < side.minimum_age:
            problems.append(PREDICATE_TEXTS["min-age"].format(age=side.minimum_age))
        if side.maximum_age is not None and cv.age > side.maximum_age:
            problems.append(PREDICATE_TEXTS["max-age"].format(age=side.maximum_age))
    return problems


def _eligible(
    cv: ClientView,
    nationalities: Sequence[str],
    genders: Sequence[str],
    minimum_age: int | None,
    maximum_age: int | None,
) -> bool:
    """Whether nothing in the service's eligibility shuts the client out (the test behind
    :func:`_eligibility_problems`, without its words)."""
    if nationalities and cv.nationality is not None and cv.nationality not in nationalities:
        return False
    if genders and cv.gender is not None and cv.gender not in genders:
        return False
    if cv.age is not None:
        if minimum_age is not None and cv.age < minimum_age:
            return False
        if maximum_age is not None and cv.age > maximum_age:
            return False
    return True


def _shared(cv: ClientView, side: _ServiceSide) -> bool:
    return not cv.languages.isdisjoint(side.languages)


def _missing(cv: ClientView, side: _ServiceSide) -> tuple[str, ...]:
    return side.documents if not cv.documents_valid else ()


def _conflict(cv: ClientView, side: _ServiceSide) -> frozenset[str]:
    return side.parties & cv.no_contact


def _feared(cv: ClientView, side: _ServiceSide) -> frozenset[str]:
    return side.parties & cv.fears


def _avoided(cv: ClientView, side: _ServiceSide) -> frozenset[str]:
    return side.sectors & cv.avoid_sectors


# Every match.* fact, in the order match_facts lists them: (client view, service side) -> value.
_FACTS: dict[str, Callable[[ClientView, _ServiceSide], Any]] = {
    # language_fit: nothing stands in the way (also when the client named no language);
    # shared_language: the client named a language and staff speak it
    "language_fit": lambda cv, side: not cv.languages or not cv.languages.isdisjoint(side.languages),
    "shared_language": _shared,
    # languages are in the client's order of preference
    "spoken_language": lambda cv, side: (
        next((language_name(c) for c in cv.language_order if c in side.languages), "") if _shared(cv, side) else ""
    ),
    "client_languages": lambda cv, side: cv.language_names,
    "interpretation": lambda cv, side: side.interpretation,
    "in_current_place": lambda cv, side: _serves(side, cv.current),
    "in_intended_place": lambda cv, side: cv.intended is not None and _serves(side, cv.intended),
    "contact_conflict": lambda cv, side: bool(_conflict(cv, side)),
    "conflict_parties": lambda cv, side: _join(found) if (found := _conflict(cv, side)) else "",
    "feared_contact": lambda cv, side: bool(_feared(cv, side)),
    "feared_parties": lambda cv, side: _join(found) if (found := _feared(cv, side)) else "",
    "consent_reporting_feared": lambda cv, side: bool(side.consent_reports & cv.fears),
    "sector_avoided": lambda cv, side: bool(_avoided(cv, side)),
    "avoided_sectors": lambda cv, side: (
        _join(s.replace("_", " ") for s in found) if (found := _avoided(cv, side)) else ""
    ),
    "work_limit_conflict": lambda cv, side: bool(_limit_problems(cv, side)),
    "work_limit_problems": lambda cv, side: "; ".join(_limit_problems(cv, side)),
    "eligible": lambda cv, side: _eligible(cv, side.nationalities, side.genders, side.minimum_age, side.maximum_age),
    "eligibility_problems": lambda cv, side: "; ".join(_eligibility_problems(cv, side)),
    "documents_missing": lambda cv, side: bool(_missing(cv, side)),
    "missing_documents": lambda cv, side: _join(found) if (found := _missing(cv, side)) else "",
    "full": lambda cv, side: side.full,
    "full_until": lambda cv, side: _until(side, "full"),
    "waitlist_until": lambda cv, side: _until(side, "waitlist"),
    "movement_note": lambda cv, side: _movement_note(side),
    # worked out from the pathway in propose (engine.pathways), never per pair
    "step_blocked": lambda cv, side: False,
    # the case is against someone the client refused or fears (not someone they meet)
    "opponent_refused": lambda cv, side: bool(side.adverse) and not side.adverse.isdisjoint(cv.no_contact | cv.fears),
    "will_meet": lambda cv, side: _will_meet(side),
    "case_against": lambda cv, side: _case_against(side),
}


#: The match facts that can be read off the service record itself, without its side: quick
#: enough to read for every candidate of a national catalog before any is weighed (best
#: first ordering, engine/needorder.py). :func:`card_facts` gives their values in this order.
CARD_FACTS = ("language_fit", "shared_language", "interpretation", "full", "eligible")


class CardProfile(NamedTuple):
    """What the :data:`CARD_FACTS` read of a service record (the same for every client)."""

    languages: frozenset[str]
    interpretation: bool
    full: bool
    nationalities: tuple[str, ...]
    genders: tuple[str, ...]
    minimum_age: int | None
    maximum_age: int | None


def card_profile(svc: Service | ServiceCard) -> CardProfile:
    """The parts of a service record the :data:`CARD_FACTS` read."""
    el = svc.eligibility
    return CardProfile(
        frozenset(svc.languages),
        svc.interpretation,
        svc.capacity.status == "full",
        tuple(el.nationalities or ()),
        tuple(el.genders or ()),
        el.minimum_age,
        el.maximum_age,
    )


def profile_facts(cv: ClientView, p: CardProfile) -> tuple[Any, ...]:
    """The values of the :data:`CARD_FACTS` of a client and a service's :func:`card_profile`."""
    shared = not cv.languages.isdisjoint(p.languages)
    eligible = (
        not (p.nationalities or p.genders or p.minimum_age is not None or p.maximum_age is not None)
    ) or _eligible(cv, p.nationalities, p.genders, p.minimum_age, p.maximum_age)
    return (shared or not cv.languages, shared, p.interpretation, p.full, eligible)


def card_facts(cv: ClientView, svc: Service | ServiceCard) -> tuple[Any, ...]:
    """The values of the :data:`CARD_FACTS` of a pair, read off the service record: each
    what the match fact of that name gives."""
    return profile_facts(cv, card_profile(svc))


class MatchFacts(dict[str, Any]):
    """The ``match.*`` facts of one (client, service) pair, each worked out when first
    read by subscription (``facts[key]``): matching reads the few facts its rules test, and
    a rule text the details it names. ``get`` and iteration see only the facts read so
    far; :func:`match_facts` gives them all."""

    __slots__ = ("_cv", "_side")

    def __init__(self, cv: ClientView, svc: Service | ServiceCard) -> None:
        super().__init__()
        self._cv = cv
        self._side = _side(svc)

    def __missing__(self, key: str) -> Any:
        value = self[key] = _FACTS[key](self._cv, self._side)
        return value


def fact_reader(keys: Sequence[str]) -> Callable[[ClientView, Service | ServiceCard], tuple[Any, ...]]:
    """A function giving the values of the match facts ``keys`` of a pair, in that order:
    what ``MatchFacts(cv, svc)[key]`` gives for each key, without the dict (an unknown
    key raises ``KeyError`` here, as reading it would)."""
    facts = tuple(_FACTS[key] for key in keys)

    def read(cv: ClientView, svc: Service | ServiceCard) -> tuple[Any, ...]:
        side = _side(svc)
        return tuple([fact(cv, side) for fact in facts])

    return read


def match_facts(cv: ClientView, svc: Service | ServiceCard) -> dict[str, Any]:
    """Every ``match.*`` fact of the pair, with readable details for rule texts."""
    side = _side(svc)
    return {key: fact(cv, side) for key, fact in _FACTS.items()}
