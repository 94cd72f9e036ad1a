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
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .models import Location, Service

__all__ = [
    "CARD_FIELDS",
    "CardTable",
    "PARTIAL_FIELDS",
    "ServiceCard",
    "card_from_data",
    "card_of",
    "card_to_data",
    "cards_from_table",
]

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
        for name, put in _SETTERS:
            put(self, values[name])
        _SET_FULL(self, full)

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


_SETTERS: list[tuple[str, Any]] = [(name, ServiceCard.__dict__[name].__set__) for name in CARD_FIELDS]
_SET_FULL: Any = ServiceCard.__dict__["_full"].__set__


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


def _field_data(name: str, value: Any) -> Any:
    if name == "location":
        return None if value is None else {"country": value.country, "area": value.area}
    if name in _MODELS:
        if isinstance(value, tuple):
            return [v.model_dump(mode="json", exclude_defaults=True) for v in value]
        return None if value is None else value.model_dump(mode="json", exclude_defaults=True)
    return list(value) if isinstance(value, tuple) else value


def card_to_data(card: ServiceCard) -> dict[str, Any]:
    """The card as plain JSON-ready data."""
    return {name: _field_data(name, getattr(card, name)) for name in CARD_FIELDS}


_TABLED = frozenset({"location", *_MODELS, *_STRINGS})
_NOTHING = object()


class CardTable:
    """Cards as rows of plain JSON-ready data (for a snapshot), the values cards share
    (places, eligibility, capacity, kinds, languages...) written once in ``values`` and
    referred to by their index."""

    def __init__(self) -> None:
        self.values: list[Any] = []
        self._index: dict[tuple[str, int], int] = {}
        self._held: list[Any] = []  # keeps every indexed object alive, so an id is not reused

    def row(self, card: ServiceCard) -> list[Any]:
        out: list[Any] = []
        for name in CARD_FIELDS:
            value = getattr(card, name)
            if name in _TABLED:
                key = (name, id(value))
                i = self._index.get(key)
                if i is None:
                    i = self._index[key] = len(self.values)
                    self.values.append(_field_data(name, value))
                    self._held.append(value)
                out.append(i)
            else:
                out.append(_field_data(name, value))
        return out


def cards_from_table(
    values: list[Any], rows: Iterable[list[Any]], full: Callable[[str], Service] | None = None
) -> Iterator[ServiceCard]:
    """The cards of :class:`CardTable` rows (each shared value validated once; a bad
    row or value raises ``ValueError``, ``TypeError``, ``IndexError`` or ``KeyError``)."""
    decoded: dict[int, Any] = {}
    tabled = [name for name in CARD_FIELDS if name in _TABLED]
    for row in rows:
        if not isinstance(row, list) or len(row) != len(CARD_FIELDS):
            raise ValueError("a card row of another shape")
        data = dict(zip(CARD_FIELDS, row, strict=True))
        for name in tabled:
            i = data[name]
            found = decoded.get(i, _NOTHING)
            if found is _NOTHING:
                found = decoded[i] = _decode(name, values[i])
            data[name] = found
        yield _card(data, full)


def _decode(name: str, value: Any) -> Any:
    if name in _STRINGS:
        return _strings(value)
    return None if value is None else _validated(name, value)


def _card(data: dict[str, Any], full: Callable[[str], Service] | None) -> ServiceCard:
    """A card from plain data whose shared fields are decoded already."""
    for name in ("id", "organization_id", "name", "status", "reports_to_authorities"):
        if not isinstance(data[name], str):
            raise ValueError(f"a card's {name} is not a text")
    for name in ("remote", "interpretation", "represents_without_attending", "restricts_movement"):
        if not isinstance(data[name], bool):
            raise ValueError(f"a card's {name} is not true or false")
    data["organization_id"] = sys.intern(data["organization_id"])
    data["status"] = sys.intern(data["status"])
    data["reports_to_authorities"] = sys.intern(data["reports_to_authorities"])
    data["refers_to"] = tuple(str(v) for v in data["refers_to"])
    return ServiceCard(data, full)


_MODEL_TYPES: dict[str, Any] = {}


def card_from_data(data: dict[str, Any], full: Callable[[str], Service] | None = None) -> ServiceCard:
    """A card from :func:`card_to_data`'s output (validated through the models: a bad
    value raises ``ValueError``)."""
    values = {name: _decode(name, data[name]) if name in _TABLED else data[name] for name in CARD_FIELDS}
    return _card(values, full)


def _validated(name: str, value: Any) -> Any:
    if not _MODEL_TYPES:
        for field in _MODELS:
            ann = Service.model_fields[field].annotation
            args = getattr(ann, "__args__", ())
            _MODEL_TYPES[field] = next(a for a in args if a is not type(None)) if args else ann
    if name == "location":
        return _model(Location.model_validate(value))
    cls = _MODEL_TYPES[name]
    if isinstance(value, list):
        return _model([cls.model_validate(v) for v in value])
    return _model(cls.model_validate(value))
