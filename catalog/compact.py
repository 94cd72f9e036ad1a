"""The compact form of a service that matching reads: :class:`ServiceCard`.

A catalog keeps one card per service (and, when it reads its full records from a
database, only the cards): what the indexes, the rules' service tags, the match facts,
the ordering and the referral graph read, with equal values shared (interned) across
cards. A card answers those reads under the same attribute names as
:class:`~.models.Service`; any other field (description, translations, contacts,
schedules, ...) is read from the full record through the catalog that holds the card.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import orjson

from .models import Location, Service

__all__ = ["CARD_FIELDS", "PARTIAL_FIELDS", "ServiceCard", "card_of", "card_from_data", "card_to_data"]

#: the Service fields a card holds itself (everything else is read from the full record)
CARD_FIELDS: tuple[str, ...] = (
    "id",
    "organization_id",
    "name",
    "status",
    "kinds",
    "location",
    "service_areas",
    "remote",
    "languages",
    "interpretation",
    "cost_options",
    "required_documents",
    "eligibility",
    "reports_to_authorities",
    "reports_to",
    "contact_with",
    "adverse_parties",
    "represents_without_attending",
    "restricts_movement",
    "movement_note",
    "acts_without_client",
    "employment",
    "capacity",
    "requires",
    "refers_to",
)
#: card fields that hold only part of the service's value (``location``: country and area)
PARTIAL_FIELDS: frozenset[str] = frozenset({"location"})
_STRINGS = ("kinds", "languages", "reports_to", "contact_with", "adverse_parties", "requires")
_MODELS = ("service_areas", "cost_options", "required_documents", "eligibility", "employment", "capacity")
_INTERNED: dict[Any, Any] = {}
_INTERNED_LIMIT = 200_000  # distinct values; past it the table starts again (sharing is an optimisation only)


def _shared(key: Any, value: Any) -> Any:
    found = _INTERNED.get(key)
    if found is None:
        if len(_INTERNED) >= _INTERNED_LIMIT:
            _INTERNED.clear()
        found = _INTERNED[key] = value
    return found


def _strings(values: Any) -> tuple[str, ...]:
    words = tuple(sys.intern(str(v)) for v in values)
    return _shared(("s", words), words)  # type: ignore[no-any-return]


def _model(value: Any) -> Any:
    """One shared object per distinct value (a model, or a tuple of models)."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        items = tuple(_model(v) for v in value)
        return _shared(("t", *(id(i) for i in items)), items)
    return _shared((type(value).__name__, value.model_dump_json()), value)


class ServiceCard:
    """What matching reads of one service, immutable and slotted (see the module doc).

    Lists are tuples; ``location`` keeps only the country and area (what ordering
    reads); ``full()`` is the whole record.
    """

    __slots__ = (*CARD_FIELDS, "_full")

    id: str
    organization_id: str
    name: str
    status: str
    kinds: tuple[str, ...]
    location: Location | None
    remote: bool
    languages: tuple[str, ...]
    interpretation: bool
    reports_to_authorities: str
    reports_to: tuple[str, ...]
    contact_with: tuple[str, ...]
    adverse_parties: tuple[str, ...]
    represents_without_attending: bool
    restricts_movement: bool
    movement_note: str | None
    acts_without_client: bool
    requires: tuple[str, ...]
    refers_to: tuple[str, ...]
    _full: Callable[[str], Service] | None

    def __init__(self, values: dict[str, Any], full: Callable[[str], Service] | None = None) -> None:
        for name in CARD_FIELDS:
            object.__setattr__(self, name, values[name])
        object.__setattr__(self, "_full", full)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a service card is read-only ({name!r})")

    def __getattr__(self, name: str) -> Any:
        # only called for names the card does not hold: the full record's fields
        if name.startswith("_") or name not in Service.model_fields:
            raise AttributeError(name)
        return getattr(self.full(), name)

    def __repr__(self) -> str:
        return f"ServiceCard({self.id!r})"

    def full(self) -> Service:
        """The whole service record (from the catalog that holds the card)."""
        full = self._full
        if full is None:
            raise AttributeError(f"service card {self.id!r} is not attached to a catalog")
        return full(self.id)

    def places(self) -> list[tuple[str, str | None]]:
        """(country, area) pairs this service covers; area None means the whole country."""
        if self.service_areas:
            return [(a.country, a.area) for a in self.service_areas]
        assert self.location is not None
        return [(self.location.country, self.location.area)]


def _values(service: Service) -> dict[str, Any]:
    loc = service.location
    return {
        "id": service.id,
        "organization_id": sys.intern(service.organization_id),
        "name": service.name,
        "status": sys.intern(service.status),
        "kinds": _strings(service.kinds),
        "location": None if loc is None else _model(Location(country=loc.country, area=loc.area)),
        "service_areas": _model(service.service_areas),
        "remote": service.remote,
        "languages": _strings(service.languages),
        "interpretation": service.interpretation,
        "cost_options": _model(service.cost_options),
        "required_documents": _model(service.required_documents),
        "eligibility": _model(service.eligibility),
        "reports_to_authorities": sys.intern(service.reports_to_authorities),
        "reports_to": _strings(service.reports_to),
        "contact_with": _strings(service.contact_with),
        "adverse_parties": _strings(service.adverse_parties),
        "represents_without_attending": service.represents_without_attending,
        "restricts_movement": service.restricts_movement,
        "movement_note": service.movement_note,
        "acts_without_client": service.acts_without_client,
        "employment": _model(service.employment),
        "capacity": _model(service.capacity),
        "requires": _strings(service.requires),
        "refers_to": tuple(service.refers_to),
    }


def card_of(service: Service, full: Callable[[str], Service] | None = None) -> ServiceCard:
    """The card of ``service`` (``full`` gives the whole record of an id)."""
    return ServiceCard(_values(service), full)


def card_to_data(card: ServiceCard) -> dict[str, Any]:
    """The card as plain JSON-ready data (for a snapshot)."""
    out: dict[str, Any] = {}
    for name in CARD_FIELDS:
        value = getattr(card, name)
        if name == "location":
            value = None if value is None else {"country": value.country, "area": value.area}
        elif name in _MODELS:
            if isinstance(value, tuple):
                value = [v.model_dump(mode="json", exclude_defaults=True) for v in value]
            elif value is not None:
                value = value.model_dump(mode="json", exclude_defaults=True)
        elif isinstance(value, tuple):
            value = list(value)
        out[name] = value
    return out


_MODEL_TYPES: dict[str, Any] = {}


def card_from_data(data: dict[str, Any], full: Callable[[str], Service] | None = None) -> ServiceCard:
    """A card from :func:`card_to_data`'s output (validated through the models: a bad
    value raises ``ValueError``)."""
    if not _MODEL_TYPES:
        for name in _MODELS:
            info = Service.model_fields[name]
            ann = info.annotation
            args = getattr(ann, "__args__", ())
            _MODEL_TYPES[name] = next(a for a in args if a is not type(None)) if args else ann
    values: dict[str, Any] = {}
    for name in CARD_FIELDS:
        value = data[name]
        if name == "location" or name in _MODELS:
            if value is not None:
                key = ("d", name, orjson.dumps(value))  # a value seen before is not validated again
                found = _INTERNED.get(key)
                if found is None:
                    found = _shared(key, _validated(name, value))
                value = found
        elif name in _STRINGS:
            value = _strings(value)
        elif name == "refers_to":
            value = tuple(str(v) for v in value)
        elif isinstance(value, str) and name != "name" and name != "id" and name != "movement_note":
            value = sys.intern(value)
        values[name] = value
    return ServiceCard(values, full)


def _validated(name: str, value: Any) -> Any:
    if name == "location":
        return _model(Location.model_validate(value))
    cls = _MODEL_TYPES[name]
    if isinstance(value, list):
        return _model([cls.model_validate(v) for v in value])
    return _model(cls.model_validate(value))
