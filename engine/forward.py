"""An unmet need always has a way forward (issue 9, item 9).

When nothing usable serves a need where the client is (or is going), the list says
what can still be done, best first:

1. the nearest usable services elsewhere in the country, with their place and, where
   both areas have a centre in :data:`AREA_COORDINATES`, about how far away they are;
   services at an unknown distance (areas without a centre, country-wide and remote
   services) are weighed last, and of them only the first :data:`CONSIDERED` in id
   order that are not offered already: the best of those is shown, so the work stays
   bounded however large the country's catalog (a hint, "somewhere else in the
   country", not the need's options);
2. services by phone or online in the country that help a person look further
   (hotlines, legal information, planning with a caseworker): the best of the first
   :data:`CONSIDERED` remote ones in id order;
3. "your caseworker can bring an interpreter" for a near miss whose only obstacle is
   language;
4. the cash option, for the needs money can meet;
5. always last: the caseworker keeps looking with the client.

So no unmet text ends at "nothing was found". Services are checked by the same rules
as options: a way forward never breaks a limit the client set.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from functools import lru_cache
from itertools import islice
from types import MappingProxyType
from typing import Any

import pycountry

from freechoice.catalog import Service, ServiceCard, kinds_for_need
from freechoice.catalog.codes import normalise_area

from . import lookups
from .options import NeedOptions, Unmet, WayForward, built
from .text.markers import N_

__all__ = [
    "AREA_COORDINATES",
    "CONSIDERED",
    "MONEY_MEETS",
    "WAY_FORWARD_TEXTS",
    "add_ways_forward",
    "country_name",
    "mark_cash_needs",
]

#: needs the cash option can meet (the brief: current costs, debt, food, cultural or religious costs, housing)
MONEY_MEETS = frozenset({"current_expenses", "debt", "food", "cultural_religious", "housing"})

#: the words a client hears, one template per kind of way forward
WAY_FORWARD_TEXTS: Mapping[str, str] = MappingProxyType(
    {
        "elsewhere": N_("Elsewhere in {country}: {service} ({provider}) in {place}{distance}."),
        "distance": N_(", about {km:,} km away"),
        "remote": N_("By phone or online: {service} ({provider}) can help you look further."),
        "interpreter": N_("Your caseworker can bring an interpreter to {service} ({provider})."),
        "cash": N_("The cash option can pay for this: the money is yours to spend as you decide."),
        "caseworker": N_("Your caseworker will keep looking with you and can ask partners in other places."),
        "lead": N_("What you can do:"),
    }
)
#: a place that is a whole country
ALL_OF = N_("all of {country}")
#: approximate centres (latitude, longitude) of the areas the brief's clients come from
#: and go to, for "how far": (country, area as normalised) -> coordinates. Public
#: geography, rounded; pass your own table to :func:`add_ways_forward` for other places.
AREA_COORDINATES: Mapping[tuple[str, str], tuple[float, float]] = MappingProxyType(
    {
        ("TH", "samut sakhon"): (13.55, 100.27),
        ("TH", "songkhla"): (7.01, 100.47),
        ("TH", "trang"): (7.56, 99.61),
        ("TH", "ranong"): (9.96, 98.64),
        ("TH", "bangkok"): (13.75, 100.50),
        ("TH", "chonburi"): (13.36, 100.98),
        ("TH", "chiang mai"): (18.79, 98.98),
        ("TH", "tak"): (16.88, 99.13),
        ("TH", "phuket"): (7.88, 98.39),
        ("TH", "surat thani"): (9.14, 99.33),
        ("MM", "yangon"): (16.87, 96.20),
        ("MM", "mon state"): (16.49, 97.63),
        ("MM", "tanintharyi"): (14.08, 98.19),
        ("MM", "mandalay"): (21.96, 96.09),
        ("MM", "kayin state"): (16.89, 97.63),
        ("KH", "phnom penh"): (11.56, 104.92),
        ("KH", "siem reap"): (13.36, 103.86),
        ("KH", "banteay meanchey"): (13.59, 102.97),
        ("LA", "vientiane"): (17.97, 102.63),
        ("LA", "savannakhet"): (16.55, 104.75),
    }
)
#: at most this many services at an unknown distance (per country) and this many remote
#: helpers (in all) are weighed, the first in id order: the best of them is shown
CONSIDERED = 200
_ELSEWHERE = 2
_HELP_KINDS = ("safety.hotline", "legal_aid.information", "case_management.integration_planning")
_LANGUAGE_RULES = frozenset({"no-shared-language"})


@lru_cache(maxsize=256)
def country_name(code: str) -> str:
    """The common English name of an ISO 3166 country code ("MM" -> "Myanmar")."""
    found = pycountry.countries.get(alpha_2=code)
    return str(getattr(found, "common_name", None) or found.name) if found is not None else code


def _place_of(svc: Service, country: str) -> str:
    if svc.location is not None and svc.location.country == country:
        return svc.location.city or svc.location.area or country_name(country)
    for a in svc.service_areas:
        if a.country == country and a.area:
            return a.area
    return ALL_OF.format(country=country_name(country))


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def _nearest(
    req: Any,
    by_area: Mapping[str | None, AbstractSet[str]],
    skip: AbstractSet[str],
    country: str,
    origin: tuple[float, float] | None,
    coords: Mapping[tuple[str, str], tuple[float, float]],
) -> list[tuple[Any, ...]]:
    """The nearest usable services: (unknown distance?, km, -score, name, id, eval), best
    first. Evaluated area by area, nearest first, until enough are found; of the group
    at an unknown distance only the first :data:`CONSIDERED` (id order) not seen yet."""
    by_distance: dict[tuple[bool, float], set[str]] = {}
    for area, ids in by_area.items():
        spot = coords.get((country, area)) if area is not None else None
        km = _km(origin, spot) if origin is not None and spot is not None else None
        by_distance.setdefault((km is None, round(km or 0.0, 3)), set()).update(ids)
    found: list[tuple[Any, ...]] = []
    seen: set[str] = set(skip)
    for (unknown, km), group in sorted(by_distance.items(), key=lambda kv: kv[0]):
        weighed = set(sorted(group - seen)[:CONSIDERED]) if unknown else group
        for ev in _usable(req, weighed, seen):
            found.append((unknown, km, -ev.score, ev.service.name, ev.service.id, ev))
        seen |= group
        if len(found) >= _ELSEWHERE:
            break
    found.sort(key=lambda row: row[:5])
    return found


def _way(
    req: Any, kind: str, svc: Service | ServiceCard | None = None, place: str | None = None, **fields: str
) -> WayForward:
    if svc is not None:
        fields = {**fields, "service": svc.name, "provider": req.catalog.organization(svc.organization_id).name}
    return built(
        WayForward,
        {
            "kind": kind,
            "text": WAY_FORWARD_TEXTS[kind].format(place=place or "", **fields),
            "service_id": svc.id if svc is not None else None,
            "place": place,
        },
    )


def _usable(req: Any, ids: AbstractSet[str], skip: AbstractSet[str]) -> list[Any]:
    todo = sorted(ids - skip)
    req.evaluate(todo)
    # what is shown only on request (bad practice) is never a way forward
    return [req.evals[s] for s in todo if req.usable(req.evals[s]) and not req.evals[s].on_request]


def ways_forward(
    req: Any, need: NeedOptions, coords: Mapping[tuple[str, str], tuple[float, float]] = AREA_COORDINATES
) -> list[WayForward]:
    """The ways forward for one unmet need (``req``: the propose request)."""
    kinds = set(kinds_for_need(need.need)) | {k for k, _, _ in req.suggested.get(need.need, [])}
    here = lookups.candidates(req.catalog, kinds, req.places)
    offered = {o.service_id for o in need.options}
    out: list[WayForward] = []
    countries = list(dict.fromkeys(country for country, _ in req.places))
    for country in countries:
        origin = next(
            (
                coords.get((c, a))
                for c, a in ((c, normalise_area(a)) for c, a in req.places)
                if c == country and a is not None and (c, a) in coords
            ),
            None,
        )
        found = _nearest(req, lookups.in_country(req.catalog, kinds, country), here | offered, country, origin, coords)
        for unknown, km, *_, ev in found[:_ELSEWHERE]:
            place = _place_of(ev.service, country)
            far = "" if unknown else WAY_FORWARD_TEXTS["distance"].format(km=int(round(km, -1)))
            out.append(_way(req, "elsewhere", ev.service, place, country=country_name(country), distance=far))
    if need.unmet is not None:
        for miss in need.unmet.near_misses:
            if miss.rules and set(miss.rules) <= _LANGUAGE_RULES:
                out.append(_way(req, "interpreter", req.catalog.card(miss.service_id)))
    if need.need in MONEY_MEETS:
        out.append(_way(req, "cash"))
    seen = {w.service_id for w in out if w.service_id is not None}
    helpers = (
        set().union(*(lookups.candidates(req.catalog, _HELP_KINDS, [(c, None)]) for c in countries))
        if countries
        else set()
    )
    card = req.catalog.card
    remote_ids = islice((sid for sid in sorted(helpers - seen - offered) if card(sid).remote), CONSIDERED)
    remote = _usable(req, set(remote_ids), set())
    remote.sort(key=lambda ev: (-ev.score, ev.service.name, ev.service.id))
    for ev in remote[:1]:
        out.append(_way(req, "remote", ev.service))
    out.append(_way(req, "caseworker"))
    return out


def mark_cash_needs(needs: list[NeedOptions]) -> None:
    """Mark the needs money can meet, so the cash option also shows under them (in place)."""
    for i, need in enumerate(needs):
        if need.need in MONEY_MEETS:
            needs[i] = need.model_copy(update={"cash_meets": True})


def add_ways_forward(
    req: Any, needs: list[NeedOptions], coords: Mapping[tuple[str, str], tuple[float, float]] = AREA_COORDINATES
) -> None:
    """Give every need that has ``unmet`` its ways forward (in place), and end its text with them."""
    for i, need in enumerate(needs):
        if need.unmet is None:
            continue
        ways = ways_forward(req, need, coords)
        text = f"{need.unmet.text} {WAY_FORWARD_TEXTS['lead']} " + " ".join(w.text for w in ways)
        unmet = Unmet.model_construct(text=text, near_misses=need.unmet.near_misses, ways_forward=ways)
        needs[i] = need.model_copy(update={"unmet": unmet})
