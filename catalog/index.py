"""The in-memory catalog: services and organisations with the indexes matching uses.

Candidate retrieval goes through indexes by service kind, by place and by language, so
a request touches only the services that could serve it, never the whole catalog.
Changes (:meth:`Catalog.upsert_service`, :meth:`Catalog.deactivate_service`) update the
indexes in place and move the catalog version on.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from cachetools import LRUCache

from .codes import normalise_area
from .compact import CardReader, ServiceCard, card_of
from .errors import CatalogError
from .models import CatalogData, Organization, Service
from .taxonomy import DOCUMENT_KINDS

__all__ = [
    "Catalog",
    "Place",
    "ServiceCache",
    "ServiceSource",
    "graph_facts",
    "lifted_requires",
    "version_from_sum",
    "version_term",
]

#: reads full service records by id (from a database): the ids it does not find are left out
ServiceSource = Callable[[list[str]], dict[str, Service]]
_BATCH = 1000


class ServiceCache:
    """The full records last read, at most ``size`` of them (least recently used out first)."""

    def __init__(self, size: int) -> None:
        self.size = max(0, size)
        self._items: LRUCache[str, Service] = LRUCache(maxsize=max(1, self.size))
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, service_id: str) -> Service | None:
        with self._lock:
            return self._items.get(service_id)

    def put(self, service: Service) -> None:
        if not self.size:
            return
        with self._lock:
            self._items[service.id] = service

    def drop(self, service_id: str) -> None:
        with self._lock:
            self._items.pop(service_id, None)


Place = tuple[str, str | None]
_serials = itertools.count(1)
_MOD = 1 << 256


def _term(kind: bytes, key: str, digest: str) -> int:
    """One record's share of the catalog version (summed: order-free, O(1) to add or take out)."""
    return int.from_bytes(hashlib.sha256(kind + key.encode() + b"\0" + digest.encode()).digest(), "big")


def version_term(kind: str, key: str, digest: str) -> int:
    """A record's share of the catalog version (``kind``: "o" organisation, "s" service), for
    stores that keep the running sum themselves (the database's ``catalog_state``)."""
    return _term(kind.encode(), key, digest)


def version_from_sum(total: int) -> str:
    """The catalog version of a running sum of :func:`version_term` (modulo 2**256)."""
    return "cat-" + hashlib.sha256((total % _MOD).to_bytes(32, "big")).hexdigest()[:16]


def lifted_requires(service: Service | ServiceCard) -> set[tuple[str, str]]:
    """The (kind, required kind) edges an active service adds to the kind graph: each kind it
    offers requires what it ``requires`` and the kinds giving the documents it asks for (a
    required police report is a step first; a kind it offers itself is not a prerequisite)."""
    if isinstance(service, ServiceCard):  # its values are shared: remember the answer per value
        el, docs_given = service.eligibility, service.required_documents
        key = (service.kinds, service.requires, id(el), id(docs_given))
        hit = _LIFTED.get(key)
        if hit is None or hit[0] is not el or hit[1] is not docs_given:
            if len(_LIFTED) >= 4096:
                _LIFTED.clear()
            hit = _LIFTED[key] = (el, docs_given, frozenset(_lifted(service)))
        return set(hit[2])
    return _lifted(service)


_LIFTED: dict[tuple[Any, ...], tuple[Any, Any, frozenset[tuple[str, str]]]] = {}


def _lifted(service: Service | ServiceCard) -> set[tuple[str, str]]:
    docs = set(service.eligibility.documents_required) | {d.code for d in service.required_documents}
    needed = set(service.requires) | ({DOCUMENT_KINDS[d] for d in docs if d in DOCUMENT_KINDS} - set(service.kinds))
    return {(own, req) for own in service.kinds for req in needed}


def graph_facts(
    service: Service | ServiceCard,
) -> tuple[bool, tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """What the referral graph reads of a service (see ``Catalog.graph_revision``): also
    the documents it asks for, since a required police report is a step first."""
    docs = set(service.eligibility.documents_required) | {d.code for d in service.required_documents}
    return (
        service.status == "active",
        tuple(service.kinds),
        tuple(service.requires),
        tuple(service.refers_to),
        tuple(sorted(docs)),
    )


class Catalog:
    """Organisations and services, indexed for matching.

    Each stored service carries a ``serial`` that changes whenever the service does;
    derived data (rule tags) is cached by serial, so it follows every change.

    Matching reads each service's :class:`~.compact.ServiceCard` (:meth:`card`). The full
    records (:meth:`service`, iteration, :meth:`to_data`) are kept in memory, or, with
    ``source`` (a reader of full records by id, e.g. from the database), read through it
    and kept in a bounded cache of ``cache_size`` records: then only the cards grow with
    the catalog.

    >>> from freechoice.catalog import load_sample_catalog
    >>> cat = load_sample_catalog()
    >>> len(cat) >= 80
    True
    """

    keeps_answers = False
    """True when the catalog keeps its own answers to candidate questions (callers keep
    no second copy: :mod:`freechoice.engine.lookups`)."""

    def __init__(
        self,
        organizations: Iterable[Organization] = (),
        services: Iterable[Service] = (),
        *,
        sample: bool = False,
        name: str = "freechoice catalog",
        source: ServiceSource | None = None,
        cache_size: int = 2000,
    ) -> None:
        self.sample = sample
        self.name = name
        self._lock = threading.RLock()
        self._orgs: dict[str, Organization] = {}
        self._cards: dict[str, ServiceCard] = {}
        self._services: dict[str, Service] | None = None if source is not None else {}
        self._source = source
        self.cache = ServiceCache(cache_size)
        self._full = CardReader(self.service)  # one reader, shared by every card
        self._serial: dict[str, int] = {}
        self._digest: dict[str, bytes] = {}
        self._by_kind: dict[str, set[str]] = defaultdict(set)
        self._by_place: dict[tuple[str, str | None], set[str]] = defaultdict(set)
        self._remote: dict[str, set[str]] = defaultdict(set)
        self._by_language: dict[str, set[str]] = defaultdict(set)
        self._interpreting: set[str] = set()
        self._version: str | None = None
        self._sum = 0  # sum of every record's _term, modulo 2**256: the version's source
        self._org_digest: dict[str, str] = {}
        self._inactive_orgs: set[str] = set()  # deactivated organisations: their services are not offered
        self._lifted: Counter[tuple[str, str]] = Counter()
        self._graph_revision = 0
        for org in organizations:
            self.upsert_organization(org)
        for svc in services:
            self.upsert_service(svc)

    # ------------------------------------------------------------------ building
    @classmethod
    def from_data(cls, data: CatalogData) -> Catalog:
        """Build a catalog from validated data.

        Raises:
            CatalogError: two organisations or two services share an id, or a service
                names an organisation that is not in the data.
        """
        for what, records in (("organization", data.organizations), ("service", data.services)):
            counts = Counter(r.id for r in records)
            dupes = sorted(i for i, n in counts.items() if n > 1)
            if dupes:
                raise CatalogError(f"duplicate {what} id(s): {', '.join(dupes)}")
        return cls(data.organizations, data.services, sample=data.sample, name=data.catalog)

    def to_data(self) -> CatalogData:
        return CatalogData(
            catalog=self.name,
            sample=self.sample,
            notice="FICTIONAL SAMPLE DATA" if self.sample else None,
            organizations=sorted(self._orgs.values(), key=lambda o: o.id),
            services=list(self._fulls(sorted(self._cards))),
        )

    def upsert_organization(self, org: Organization) -> None:
        with self._lock:
            digest = hashlib.sha256(org.model_dump_json().encode()).hexdigest()
            old = self._org_digest.get(org.id)
            if old is not None:
                self._sum -= _term(b"o", org.id, old)
            self._sum = (self._sum + _term(b"o", org.id, digest)) % _MOD
            self._orgs[org.id] = org
            self._org_digest[org.id] = digest
            self._version = None

    def set_organization_active(self, org_id: str, active: bool) -> None:
        """Deactivate an organisation (``active=False``): its services stay stored but are
        no longer offered (no candidate, no pathway provider) until it is active again."""
        with self._lock:
            if org_id not in self._orgs:
                raise CatalogError(f"no organization {org_id!r}")
            if (org_id not in self._inactive_orgs) == active:
                return
            term = _term(b"x", org_id, "inactive")
            if active:
                self._inactive_orgs.discard(org_id)
                self._sum = (self._sum - term) % _MOD
            else:
                self._inactive_orgs.add(org_id)
                self._sum = (self._sum + term) % _MOD
            self._version = None

    @property
    def inactive_organizations(self) -> frozenset[str]:
        """The deactivated organisations (see :meth:`set_organization_active`)."""
        return frozenset(self._inactive_orgs)

    def offered(self, service_id: str) -> bool:
        """The service is active and its organisation is not deactivated."""
        svc = self._cards.get(service_id)
        return svc is not None and svc.status == "active" and svc.organization_id not in self._inactive_orgs

    def _offered_only(self, ids: set[str]) -> set[str]:
        if not self._inactive_orgs:
            return ids
        return {sid for sid in ids if self._cards[sid].organization_id not in self._inactive_orgs}

    def upsert_service(self, service: Service) -> None:
        """Add or replace a service; the indexes and the version follow at once."""
        digest = hashlib.sha256(service.model_dump_json().encode()).digest()
        self.put_card(card_of(service, self._full), digest, service)

    def put_card(self, card: ServiceCard, digest: bytes, service: Service | None = None) -> None:
        """Add or replace a service by its card and content digest (``service``: its full
        record, kept in memory or in the cache; with a source it may be left out)."""
        with self._lock:
            if card.organization_id not in self._orgs:
                raise CatalogError(f"service {card.id!r} names unknown organization_id {card.organization_id!r}")
            if self._services is not None and service is None:
                raise CatalogError(f"service {card.id!r}: a catalog without a source keeps every full record")
            old = self._cards.get(card.id)
            if old is not None:
                self._unindex(old)
            if old is None or graph_facts(old) != graph_facts(card):
                self._graph_revision += 1
            self._cards[card.id] = card
            if self._services is not None and service is not None:
                self._services[card.id] = service
            elif service is not None:
                self.cache.put(service)
            else:
                self.cache.drop(card.id)
            self._serial[card.id] = next(_serials)
            self._set_digest(card.id, digest)
            if card.status == "active":
                self._index(card)
            self._version = None

    def add_cards(self, cards: Iterable[tuple[ServiceCard, bytes]]) -> None:
        """Fill a catalog that holds no service yet (and reads full records through a
        source) with ``cards`` and their content digests: what :meth:`put_card` does for
        each, in bulk (the index entries, rule-graph edges and version terms worked out
        once per distinct shared value, not per service).

        Raises:
            CatalogError: the catalog holds services or keeps full records in memory,
                two cards share an id, or a card names an unknown organisation.
        """
        with self._lock:
            if self._cards or self._services is not None:
                raise CatalogError("add_cards fills an empty catalog that reads full records through a source")
            held, serial, digests, orgs = self._cards, self._serial, self._digest, self._orgs
            by_kinds: dict[int, list[set[str]]] = {}
            by_place: dict[tuple[int, int, bool], list[set[str]]] = {}
            by_language: dict[int, list[set[str]]] = {}
            lifted: dict[tuple[int, int, int, int], list[Any]] = {}  # per shared value: [a card, how many]
            interpreting = self._interpreting
            total, added = 0, 0
            sha256, from_bytes = hashlib.sha256, int.from_bytes
            for card, digest in cards:
                sid = card.id
                if sid in held:
                    raise CatalogError(f"duplicate service id: {sid}")
                if card.organization_id not in orgs:
                    raise CatalogError(f"service {sid!r} names unknown organization_id {card.organization_id!r}")
                held[sid] = card
                serial[sid] = next(_serials)
                digests[sid] = digest
                total += from_bytes(sha256(b"s" + sid.encode() + b"\0" + digest.hex().encode()).digest(), "big")
                added += 1
                if card.status != "active":
                    continue
                # the index buckets of each shared value (held by the cards), found once
                kinds = card.kinds
                buckets = by_kinds.get(id(kinds))
                if buckets is None:
                    buckets = by_kinds[id(kinds)] = [self._by_kind[k] for k in kinds]
                for bucket in buckets:
                    bucket.add(sid)
                where = (id(card.service_areas), id(card.location), card.remote)
                buckets = by_place.get(where)
                if buckets is None:
                    buckets = by_place[where] = [index[key] for index, key in self._place_keys(card)]
                for bucket in buckets:
                    bucket.add(sid)
                languages = card.languages
                buckets = by_language.get(id(languages))
                if buckets is None:
                    buckets = by_language[id(languages)] = [self._by_language[lang] for lang in languages]
                for bucket in buckets:
                    bucket.add(sid)
                if card.interpretation:
                    interpreting.add(sid)
                edges = (id(card.kinds), id(card.requires), id(card.eligibility), id(card.required_documents))
                seen = lifted.get(edges)
                if seen is None:
                    lifted[edges] = [card, 1]
                else:
                    seen[1] += 1
            for card, n in lifted.values():
                for edge in lifted_requires(card):
                    self._lifted[edge] += n
            self._sum = (self._sum + total) % _MOD
            self._graph_revision += added
            self._version = None

    def index_state(self) -> dict[str, Any]:
        """The indexes and version sum of this catalog as plain data (sets and dicts of
        ids and counts), for :meth:`restore_cards` in another process: with the same
        cards, they are what :meth:`add_cards` would build."""
        with self._lock:
            return {
                "by_kind": dict(self._by_kind),
                "by_place": dict(self._by_place),
                "remote": dict(self._remote),
                "by_language": dict(self._by_language),
                "interpreting": self._interpreting,
                "lifted": dict(self._lifted),
                # the services' share of the version (the organisations' is the catalog's own)
                "sum": sum(_term(b"s", sid, digest.hex()) for sid, digest in self._digest.items()) % _MOD,
            }

    def restore_cards(
        self, reader: CardReader, cards: list[ServiceCard], digests: list[bytes], index: dict[str, Any]
    ) -> None:
        """Fill a catalog that holds no service yet (and reads full records through a
        source) with ``cards`` (read through ``reader``, which is bound to this catalog;
        their serials are consecutive numbers, in the cards' order),
        their content digests and the :meth:`index_state` of a catalog that held exactly
        these cards: what :meth:`add_cards` does, without
        working the indexes out again.

        Raises:
            CatalogError: the catalog holds services or keeps full records in memory, two
                cards share an id, or a card names an unknown organisation.
        """
        with self._lock:
            if self._cards or self._services is not None:
                raise CatalogError("restore_cards fills an empty catalog that reads full records through a source")
            ids = [card.id for card in cards]
            held = dict(zip(ids, cards, strict=True))
            if len(held) != len(ids):
                raise CatalogError("duplicate service ids")
            unknown = {card.organization_id for card in cards} - self._orgs.keys()
            if unknown:
                raise CatalogError(f"services name unknown organization_id(s) {', '.join(sorted(unknown))}")
            reader.bind(self.service)
            self._full = reader
            self._cards = held
            # one serial per card, in their order: one block, taken in one step (no other
            # thread takes one in between), so they are consecutive numbers
            self._serial = dict(zip(ids, itertools.islice(_serials, len(ids))))
            self._digest = dict(zip(ids, digests, strict=True))
            self._by_kind = defaultdict(set, index["by_kind"])
            self._by_place = defaultdict(set, index["by_place"])
            self._remote = defaultdict(set, index["remote"])
            self._by_language = defaultdict(set, index["by_language"])
            self._interpreting = index["interpreting"]
            self._lifted = Counter(index["lifted"])
            self._sum = (self._sum + index["sum"]) % _MOD
            self._graph_revision += len(ids)
            self._version = None

    def _set_digest(self, service_id: str, digest: bytes | None) -> None:
        old = self._digest.pop(service_id, None)
        if old is not None:
            self._sum -= _term(b"s", service_id, old.hex())
        if digest is not None:
            self._digest[service_id] = digest
            self._sum += _term(b"s", service_id, digest.hex())
        self._sum %= _MOD

    def deactivate_service(self, service_id: str) -> Service:
        svc = self.service(service_id)
        new = svc.model_copy(update={"status": "inactive"})
        self.upsert_service(new)
        return new

    def remove_service(self, service_id: str) -> None:
        with self._lock:
            svc = self._cards.pop(service_id, None)
            if svc is None:
                raise CatalogError(f"no service {service_id!r}")
            if self._services is not None:
                self._services.pop(service_id, None)
            self.cache.drop(service_id)
            self._unindex(svc)
            self._graph_revision += 1
            self._serial.pop(service_id, None)
            self._set_digest(service_id, None)
            self._version = None

    def _keys(self, svc: ServiceCard) -> Iterator[tuple[dict[Any, set[str]], object]]:
        for k in svc.kinds:
            yield self._by_kind, k
        yield from self._place_keys(svc)
        for lang in svc.languages:
            yield self._by_language, lang

    def _place_keys(self, svc: ServiceCard) -> Iterator[tuple[dict[Any, set[str]], object]]:
        for country, area in svc.places():
            if svc.remote:
                yield self._remote, country
            else:
                yield self._by_place, (country, normalise_area(area))

    def _index(self, svc: ServiceCard) -> None:
        for index, key in self._keys(svc):
            index[key].add(svc.id)
        if svc.interpretation:
            self._interpreting.add(svc.id)
        self._lifted.update(lifted_requires(svc))

    def _unindex(self, svc: ServiceCard) -> None:
        for index, key in self._keys(svc):
            bucket = index.get(key)
            if bucket is not None:
                bucket.discard(svc.id)
                if not bucket:
                    del index[key]
        self._interpreting.discard(svc.id)
        if svc.status == "active":
            for edge in lifted_requires(svc):
                self._lifted[edge] -= 1
                if self._lifted[edge] <= 0:
                    del self._lifted[edge]

    # ------------------------------------------------------------------ reading
    def __len__(self) -> int:
        return len(self._cards)

    def __contains__(self, service_id: object) -> bool:
        return service_id in self._cards

    def __iter__(self) -> Iterator[Service]:
        """Every full service record (with a source: read from it a batch at a time)."""
        return self._fulls(list(self._cards))

    def _fulls(self, ids: list[str]) -> Iterator[Service]:
        if self._services is not None:
            held = self._services
            yield from (held[i] for i in ids if i in held)
            return
        for start in range(0, len(ids), _BATCH):
            found = self._read(ids[start : start + _BATCH], keep=False)
            yield from (found[i] for i in ids[start : start + _BATCH] if i in found)

    def _read(self, ids: list[str], *, keep: bool = True) -> dict[str, Service]:
        """Full records of ``ids`` from the cache, the rest from the source."""
        out: dict[str, Service] = {}
        missing: list[str] = []
        for sid in ids:
            hit = self.cache.get(sid)
            if hit is None:
                missing.append(sid)
            else:
                out[sid] = hit
        if missing:
            assert self._source is not None
            read = self._source(missing)
            for sid, svc in read.items():
                if sid in self._cards:
                    out[sid] = svc
                    if keep:
                        self.cache.put(svc)
        return out

    def cards(self) -> Iterator[ServiceCard]:
        """Every service's card (what matching reads), without reading full records."""
        return iter(list(self._cards.values()))

    def card(self, service_id: str) -> ServiceCard:
        """What matching reads of a service (:class:`~.compact.ServiceCard`)."""
        try:
            return self._cards[service_id]
        except KeyError:
            raise CatalogError(f"no service {service_id!r}") from None

    @property
    def full_reader(self) -> CardReader:
        """What a card of this catalog reads its full record through (:meth:`service`)."""
        return self._full

    def get_card(self, service_id: str) -> ServiceCard | None:
        return self._cards.get(service_id)

    def active_ids(self) -> list[str]:
        """The ids of the active services."""
        return [sid for sid, c in list(self._cards.items()) if c.status == "active"]

    def held_active_ids(self) -> list[str]:
        """The ids of the active services this object holds in memory (here: all of them;
        a database-backed catalog: those in its cache). What tagging ahead reads."""
        return self.active_ids()

    def held_serials(self) -> set[int]:
        """The serials of the services this object holds (caches keyed by serial keep these)."""
        with self._lock:
            return set(self._serial.values())

    def prefetch(self, service_ids: Iterable[str]) -> None:
        """Read the full records of ``service_ids`` the cache lacks in one go (with a
        source; as many as the cache holds)."""
        if self._services is None:
            ids = [sid for sid in dict.fromkeys(service_ids) if sid in self._cards]
            self._read(ids[: self.cache.size])

    def attach_source(self, source: ServiceSource, cache_size: int | None = None) -> None:
        """Read full records through ``source`` from now on (a catalog that keeps only
        cards, e.g. after a fork: the source of the process that loaded it stays there)."""
        if self._services is not None:
            raise CatalogError("this catalog keeps its full records in memory: it takes no source")
        self._source = source
        if cache_size is not None:
            self.cache.size = max(0, cache_size)

    @property
    def compact(self) -> bool:
        """True when full records are read from a source (only the cards are in memory)."""
        return self._services is None

    @property
    def organizations(self) -> dict[str, Organization]:
        return dict(self._orgs)

    def get_organization(self, org_id: str) -> Organization | None:
        """One organisation, or None (not :attr:`organizations`: a database-backed catalog
        reads every organisation for that)."""
        return self._orgs.get(org_id)

    def organization(self, org_id: str) -> Organization:
        try:
            return self._orgs[org_id]
        except KeyError:
            raise CatalogError(f"no organization {org_id!r}") from None

    def service(self, service_id: str) -> Service:
        found = self.get(service_id)
        if found is None:
            raise CatalogError(f"no service {service_id!r}")
        return found

    def get(self, service_id: str) -> Service | None:
        if self._services is not None:
            return self._services.get(service_id)
        if service_id not in self._cards:
            return None
        return self._read([service_id]).get(service_id)

    def serial(self, service_id: str) -> int:
        """A number that changes whenever the service changes (for caches)."""
        return self._serial[service_id]

    def digest(self, service_id: str) -> str:
        """The content hash of the stored service (equal content, equal digest, in any process)."""
        return self._digest[service_id].hex()

    @property
    def graph_revision(self) -> int:
        """A number that moves only when the referral graph can change: a service added
        or removed, or its status, kinds, ``requires``, ``refers_to`` or required documents changed (not its
        capacity, hours or words). Caches of the graph key on it."""
        return self._graph_revision

    def lifted_edges(self, without: str | None = None) -> set[tuple[str, str]]:
        """The (kind, required kind) edges the active services add (:func:`lifted_requires`),
        leaving out those only service ``without`` adds. Bounded by the taxonomy, not the catalog."""
        with self._lock:
            edges = set(self._lifted)
            old = self._cards.get(without) if without is not None else None
            if old is not None and old.status == "active":
                edges -= {e for e in lifted_requires(old) if self._lifted[e] <= 1}
            return edges

    def refers_path(self, start: Iterable[str], target: str, replacing: Service | None = None) -> list[str] | None:
        """A chain of ``refers_to`` links between active services from one of ``start`` to
        ``target`` (``replacing`` stands in for the stored service of its id), or None.
        Walks only what ``start`` can reach."""
        with self._lock:

            def onward(sid: str) -> list[str]:
                svc: Service | ServiceCard | None = (
                    replacing if replacing is not None and sid == replacing.id else self.get_card(sid)
                )
                return list(svc.refers_to) if svc is not None and svc.status == "active" else []

            def active(sid: str) -> bool:
                if replacing is not None and sid == replacing.id:
                    return replacing.status == "active"
                card = self.get_card(sid)
                return card is not None and card.status == "active"

            parent: dict[str, str | None] = {}
            todo: list[str] = []
            for sid in start:
                if active(sid) and sid not in parent:
                    parent[sid] = None
                    todo.append(sid)
            while todo:
                sid = todo.pop()
                if sid == target:
                    path = [sid]
                    while (up := parent[path[-1]]) is not None:
                        path.append(up)
                    return path[::-1]
                for nxt in onward(sid):
                    if nxt not in parent and active(nxt):
                        parent[nxt] = sid
                        todo.append(nxt)
            return None

    @property
    def version(self) -> str:
        """Content hash of the catalog: moves on every change, equal for equal content
        (kept up to date per change: no walk over the catalog)."""
        with self._lock:
            if self._version is None:
                self._version = version_from_sum(self._sum)
            return self._version

    def candidates(self, kinds: Iterable[str], places: Iterable[Place]) -> set[str]:
        """Active services of any of ``kinds`` that serve any of ``places`` (in person,
        country-wide or remotely), leaving out deactivated organisations' services.
        Touches only index buckets, never the whole catalog."""
        with self._lock:
            by_place: set[str] = set()
            for country, area in places:
                by_place |= self._by_place.get((country, normalise_area(area)), set())
                by_place |= self._by_place.get((country, None), set())
                by_place |= self._remote.get(country, set())
            found: set[str] = set()
            for k in kinds:
                of_kind = self._by_kind.get(k)
                if of_kind:
                    found |= by_place & of_kind  # walks the smaller of the two sets
            return self._offered_only(found)

    def in_country(self, kinds: Iterable[str], country: str) -> dict[str | None, set[str]]:
        """Active services of any of ``kinds`` anywhere in ``country``, by the area they
        serve in person (normalised; None: country-wide or remote): where to look further
        when nothing serves the client's own area. A service over several areas is in each."""
        with self._lock:
            of_kinds: set[str] = set()
            for k in kinds:
                of_kinds |= self._by_kind.get(k, set())
            of_kinds = self._offered_only(of_kinds)
            out: dict[str | None, set[str]] = {}
            remote = self._remote.get(country, set()) & of_kinds
            if remote:
                out[None] = set(remote)
            for (c, area), ids in self._by_place.items():
                if c == country:
                    found = ids & of_kinds
                    if found:
                        out.setdefault(area, set()).update(found)
            return out

    def speaking(self, languages: Iterable[str]) -> set[str]:
        """Active services whose staff speak any of ``languages``."""
        out: set[str] = set()
        with self._lock:
            for lang in languages:
                out |= self._by_language.get(lang, set())
        return out

    def interpreting(self) -> set[str]:
        """Active services that provide interpretation."""
        with self._lock:
            return set(self._interpreting)

    def active_count(self) -> int:
        """How many services are active."""
        with self._lock:
            return sum(1 for c in self._cards.values() if c.status == "active")

    def held(self) -> int:
        """How many services this object holds in memory (caches of derived data size to it)."""
        return len(self._cards)

    def services_of(self, org_id: str) -> list[Service]:
        ids = sorted(sid for sid, c in list(self._cards.items()) if c.organization_id == org_id)
        return list(self._fulls(ids))

    def to_json(self) -> str:
        return json.dumps(self.to_data().model_dump(mode="json"), ensure_ascii=False, indent=2)
