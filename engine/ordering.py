"""How options are ordered within a need, after the rules have spoken.

The order, most important first:

1. options shown only on request (``show_all``) come last;
2. options a rule puts last (``rank: last``: for a client without valid documents, a
   service that must report to police or immigration) come after the rest;
3. under employment, jobs come before other ways to earn (training, business support);
4. options a rule puts first (``rank: first``: child protection for a child, document
   help for a client without valid documents, under the safety needs) come next;
5. the fit score, highest first;
6. ties by place: in the client's own area, then serving that area from elsewhere,
   then the whole country, then remote (by phone or online), never by name;
7. the service id, so the same input always gives the same order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

from freechoice.catalog import Service, ServiceCard
from freechoice.catalog.codes import normalise_area

__all__ = ["JOB_KINDS", "OptionKey", "fit_score", "is_job", "place_rank", "place_rank_of", "quality_weight"]

#: Kinds that are a job: "find work" is met only by one of these.
JOB_KINDS = frozenset({"job_placement.direct_employer"})

# place_rank values
OWN_AREA, SERVES_AREA, WHOLE_COUNTRY, REMOTE, ELSEWHERE = range(5)


class OptionKey(NamedTuple):
    """Sort key of an option within a need (smaller first)."""

    on_request: bool
    last: bool
    not_a_job: bool
    not_first: bool
    minus_score: float
    place: int
    service_id: str


def fit_score(weight: float) -> float:
    """The fit score (0-1, four decimals) of the rules' weight on an option: rises with it."""
    return round(1.0 / (1.0 + math.exp(-weight)), 4)


def quality_weight(mean: float, n: int) -> float:
    """What client ratings (mean satisfaction 1-5 over ``n`` ratings) add to the weight:
    at most +-0.5, reached with 10 ratings."""
    return 0.5 * ((mean - 3.0) / 2.0) * (min(n, 10) / 10.0)


def is_job(svc: Service | ServiceCard) -> bool:
    """Whether the service is a job (not training or business support)."""
    return not JOB_KINDS.isdisjoint(svc.kinds)


def place_rank(svc: Service | ServiceCard, places: list[tuple[str, str | None]]) -> int:
    """How close the service is to the client, best over the client's places.

    0: in person in the client's own area; 1: covers that area from elsewhere; 2: the
    whole country; 3: remote (phone or online); 4: none of these.
    """
    loc = svc.location
    return place_rank_of(
        svc.remote,
        (loc.country, normalise_area(loc.area)) if loc is not None else None,
        [(c, normalise_area(a)) for c, a in svc.places()],
        [(country, normalise_area(area)) for country, area in places],
    )


def place_rank_of(
    remote: bool,
    located: tuple[str, str | None] | None,
    served: Sequence[tuple[str, str | None]],
    places: Sequence[tuple[str, str | None]],
) -> int:
    """:func:`place_rank` from a service's parts, areas normalised: whether it is remote,
    its own (country, area), the (country, area or None) it serves, and the client's places."""
    best = ELSEWHERE
    for country, area in places:
        if remote:
            rank = REMOTE if any(c == country for c, _ in served) else ELSEWHERE
        elif located is not None and located[0] == country and area is not None and located[1] == area:
            rank = OWN_AREA
        elif area is not None and (country, area) in served:
            rank = SERVES_AREA
        elif any(c == country and a is None for c, a in served):
            rank = WHOLE_COUNTRY
        else:
            rank = ELSEWHERE
        best = min(best, rank)
    return best
