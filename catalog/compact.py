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
from typing import Any, NamedTuple

from .models import Location, Service

__all__ = [
    "CARD_FIELDS",
    "CardReader",
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


class CardReader:
    """What the cards of one catalog read their full records through: a callable that
    hands an id to the catalog's reader. One object shared by every card of a catalog,
    so a snapshot's cards name it once and a catalog read from a snapshot binds
    it to itself (it is written without its target)."""

    __slots__ = ("_read",)

    def __init__(self, read: Callable[[str], Service] | None = None) -> None:
        self._read = read

    def bind(self, read: Callable[[str], Service]) -> None:
        self._read = read

    def __call__(self, service_id: str) -> Service:
        read = self._read
        if read is None:
            raise AttributeError(f"service card {service_id!r} is not attached to a catalog")
        return read(service_id)

    def __reduce__(self) -> tuple[type[CardReader], tuple[()]]:
        return CardReader, ()  # written without its target (see above)

    def __copy__(self) -> CardReader:
        return self  # a copied card reads through the same catalog

    def __deepcopy__(self, memo: dict[int, Any]) -> CardReader:
        return self


class ServiceCard(NamedTuple):
    """What matching reads of one service, immutable (see the module doc).

    Lists are tuples; ``location`` keeps only the country and area (what ordering
    reads); ``full()`` is the whole record. A card is a named tuple (built from a row
    in one step, which matters at 100,000 services) that compares and hashes by
    identity, like any other record object.
    """

    id: str
    organization_id: str
    name: str
    status: str
    kinds: tuple[str, ...]
    location: Location | None
    service_areas: Any
    remote: bool
    languages: tuple[str, ...]
    interpretation: bool
    cost_options: Any
    required_documents: Any
    eligibility: Any
    reports_to_authorities: str
    reports_to: tuple[str, ...]
    contact_with: tuple[str, ...]
    adverse_parties: tuple[str, ...]
    represents_without_attending: bool
    restricts_movement: bool
    movement_note: str | None
    acts_without_client: bool
    employment: Any
    capacity: Any
    requires: tuple[str, ...]
    refers_to: tuple[str, ...]
    reader: Callable[[str], Service] | None = None

    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    def __hash__(self) -> int:
        return id(self) >> 4

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
        full = self.reader
        if full is None:
            raise AttributeError(f"service card {self.id!r} is not attached to a catalog")
        return full(self.id)

    def places(self) -> list[tuple[str, str | None]]:
        """(country, area) pairs this service covers; area None means the whole country."""
        if self.service_areas:
            return [(a.country, a.area) for a in self.service_areas]
        assert self.location is not None
        return [(self.location.country, self.location.area)]


if ServiceCard._fields != (*CARD_FIELDS, "reader"):  # pragma: no cover - a field added to one and not the other
    raise ImportError("ServiceCard's fields and CARD_FIELDS differ")


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
    return ServiceCard(**_values(service), reader=full)


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


_TABLED_AT = tuple(i for i, name in enumerate(CARD_FIELDS) if name in _TABLED)
_TEXTS_AT = tuple(CARD_FIELDS.index(n) for n in ("id", "organization_id", "name", "status", "reports_to_authorities"))
_FLAGS_AT = tuple(
    CARD_FIELDS.index(n)
    for n in ("remote", "interpretation", "represents_without_attending", "restricts_movement", "acts_without_client")
)
_INTERNED_AT = tuple(CARD_FIELDS.index(n) for n in ("organization_id", "status", "reports_to_authorities"))
_NOTE_AT = CARD_FIELDS.index("movement_note")
_REFERS_AT = CARD_FIELDS.index("refers_to")


def cards_from_table(
    values: list[Any], rows: Iterable[list[Any]], full: Callable[[str], Service] | None = None
) -> Iterator[ServiceCard]:
    """The cards of :class:`CardTable` rows (each shared value validated once, per
    field; a bad row or value raises ``ValueError``, ``TypeError``, ``IndexError`` or
    ``KeyError``). The rows are lists, which are used up (the card is built in them)."""
    width = len(CARD_FIELDS)
    decoded: dict[int, dict[Any, Any]] = {i: {} for i in _TABLED_AT}  # per field: a value's index -> its decoded value
    tabled = [(i, CARD_FIELDS[i], decoded[i]) for i in _TABLED_AT]
    intern, make = sys.intern, ServiceCard._make
    for row in rows:
        if type(row) is not list or len(row) != width:
            raise ValueError("a card row of another shape")
        for i, name, known in tabled:
            at = row[i]
            found = known.get(at, _NOTHING)
            if found is _NOTHING:
                if type(at) is not int:
                    raise ValueError(f"a card's {name} is not an index into the shared values")
                found = known[at] = _decode(name, values[at])
            row[i] = found
        _check(row)
        for i in _INTERNED_AT:
            row[i] = intern(row[i])
        row.append(full)
        yield make(row)


def _check(row: list[Any]) -> None:
    """Raise ``ValueError`` unless the card row's plain (not shared) values are of their
    types; ``refers_to`` becomes a tuple."""
    for i in _TEXTS_AT:
        if type(row[i]) is not str:
            raise ValueError(f"a card's {CARD_FIELDS[i]} is not a text")
    for i in _FLAGS_AT:
        if type(row[i]) is not bool:
            raise ValueError(f"a card's {CARD_FIELDS[i]} is not true or false")
    note = row[_NOTE_AT]
    if note is not None and type(note) is not str:
        raise ValueError("a card's movement_note is not a text")
    refers = row[_REFERS_AT]
    if type(refers) is not list or any(type(v) is not str for v in refers):
        raise ValueError("a card's refers_to is not a list of service ids")
    row[_REFERS_AT] = tuple(refers) if refers else ()


def _decode(name: str, value: Any) -> Any:
    if name in _STRINGS:
        if type(value) is not list or any(type(v) is not str for v in value):
            raise ValueError(f"a card's {name} is not a list of texts")
        return _strings(value)
    return None if value is None else _validated(name, value)


def _card(data: dict[str, Any], full: Callable[[str], Service] | None) -> ServiceCard:
    """A card from plain data whose shared fields are decoded already."""
    row = [data[name] for name in CARD_FIELDS]
    _check(row)
    for i in _INTERNED_AT:
        row[i] = sys.intern(row[i])
    row.append(full)
    return ServiceCard._make(row)


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
