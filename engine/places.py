"""Options grouped by place for an undecided client (issue 9, item 13).

An undecided client sees, for where they are now and for each place they might go
(``intended_location`` and ``possible_locations``; naming none is fine), which
options serve that place, need by need.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from freechoice.catalog import Catalog
from freechoice.catalog.codes import normalise_area

from .assessment import Assessment
from .forward import country_name
from .options import NeedOptions, PlaceGroup, PlaceNeed
from .predicates import serves_place
from .text.markers import N_

__all__ = ["PLACE_TEXTS", "group_by_place"]

#: the words a client hears for each group
PLACE_TEXTS: Mapping[str, str] = MappingProxyType(
    {
        "current": N_("Where you are now: {place}"),
        "possible": N_("If you go to {place}"),
    }
)


def _place(country: str, area: str | None) -> str:
    return f"{area}, {country_name(country)}" if area else country_name(country)


def group_by_place(a: Assessment, catalog: Catalog, needs: list[NeedOptions]) -> list[PlaceGroup]:
    """The option ids per need for each place (only for an undecided client; else [])."""
    if a.situation.plan != "undecided":
        return []
    places = a.places()
    out = []
    for i, (country, area) in enumerate(places):
        key = (country, normalise_area(area))
        groups = []
        for n in needs:
            ids = [o.option_id for o in n.options if serves_place(catalog.card(o.service_id), key)]
            groups.append(PlaceNeed(need=n.need, option_ids=ids))
        text = PLACE_TEXTS["current" if i == 0 else "possible"].format(place=_place(country, area))
        out.append(PlaceGroup(country=country, area=area, label=text, current=i == 0, needs=groups))
    return out
