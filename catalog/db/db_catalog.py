"""A catalog that lives in PostgreSQL: candidate questions answered by SQL, records cached.

:class:`DatabaseCatalog` has the read interface of the in-memory :class:`Catalog` the
engine proposes from (``candidates``, ``in_country``, ``service``/``get``, ``serial``,
``digest``, ``organization``, ``version``, the graph questions), so ``propose()`` runs on
it unchanged. Candidate retrieval is one query over the retrieval columns (GIN-indexed
arrays, :mod:`.retrieval_columns`); the services and organisations a worker reads are
kept in a bounded LRU cache (each entry with a fresh serial, so rule tags cached by serial
follow it); :meth:`DatabaseCatalog.refresh` drops what changed since the last revision seen
(called on NOTIFY or the poll). The version is the database's running sum
(``catalog_state.version_sum``), the same value the in-memory catalog gives for equal
content. Reads go to the database it is given: a read replica if there is one.

Like the in-memory catalog it answers matching with each service's compact card
(:meth:`card`, :class:`~freechoice.catalog.compact.ServiceCard`) and reads full records
(:meth:`service`, :meth:`prefetch`) through the catalog's bounded
:class:`~freechoice.catalog.index.ServiceCache` and a
:func:`~.catalog_store.service_source` on the read database: the cards it holds are the
LRU of ``cache_size``, the full records the cache of ``record_cache``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache
from sqlalchemy import Text, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from freechoice.catalog.compact import ServiceCard, card_of
from freechoice.catalog.errors import CatalogError, Problem, ValidationFailed
from freechoice.catalog.index import Catalog, Place, _serials, version_from_sum, version_term
from freechoice.catalog.models import CatalogData, Organization, Service

from .catalog_store import current_revision, current_version_sum, service_source
from .engine import Database
from .retrieval_columns import client_place_keys, country_key, remote_key
from .tables import OrganizationRow, ServiceRow

__all__ = ["DatabaseCatalog", "RETRIEVAL_MODES"]

RETRIEVAL_MODES = ("memory", "database")
"""The values of ``FREECHOICE_CATALOG_RETRIEVAL``."""

_CHUNK = 5000
_PAGE = 1000  # services per page of a walk over the whole catalog


@dataclass(frozen=True)
class _Entry:
    card: ServiceCard
    serial: int
    digest: str


def _texts(values: Iterable[str]) -> Any:
    """One ``text[]`` parameter."""
    return literal(sorted(set(values)), ARRAY(Text))


def _overlaps(column: Any, values: Iterable[str]) -> Any:
    """``column && :values`` (served by the column's GIN index)."""
    return column.op("&&")(_texts(values))


def _contains(column: Any, values: Iterable[str]) -> Any:
    """``column @> :values``."""
    return column.op("@>")(_texts(values))


class DatabaseCatalog(Catalog):
    """The catalog in the database (PostgreSQL only), read through a bounded cache.

    ``iter()`` and :meth:`cards` answer over the whole catalog, as the in-memory catalog
    does: read from the database a page at a time (ordered by id; nothing kept), so a
    walk over 1,000,000 services never holds more than a page. :meth:`active_ids` (a list
    of every active id) is refused: no caller needs it here. :meth:`held`,
    :meth:`held_active_ids` and :meth:`held_serials` cover the services this worker holds
    in its cache; ``len()`` counts every service in the database.

    Raises:
        ValidationFailed: the database is not PostgreSQL (naming the setting and its values).
    """

    keeps_answers = True  # per question, dropped only when a change could move it (refresh)

    def __init__(
        self, db: Database, *, cache_size: int = 50_000, record_cache: int = 2000, name: str = "freechoice catalog"
    ) -> None:
        if db.is_sqlite:
            raise ValidationFailed(
                [
                    Problem(
                        "FREECHOICE_CATALOG_RETRIEVAL",
                        "in-database retrieval needs PostgreSQL (the database is SQLite); use memory",
                        allowed=RETRIEVAL_MODES,
                        value="database",
                    )
                ],
                what="configuration",
            )
        if cache_size < 1:
            raise ValidationFailed(
                [Problem("FREECHOICE_CATALOG_CACHE_SIZE", "must be at least 1", value=cache_size)], what="configuration"
            )
        # full records: the catalog's own bounded cache, read through the (read) database
        super().__init__(sample=False, name=name, source=service_source(db.session), cache_size=record_cache)
        self.db = db
        self.cache_size = cache_size
        self._cache: LRUCache[str, _Entry] = LRUCache(maxsize=cache_size)
        # (kinds, place keys) -> the ids found: a question asked again is not asked again of
        # the database until a change could alter its answer (see refresh)
        answers_size = max(256, min(cache_size, 8192))
        self._answers: LRUCache[tuple[tuple[str, ...], tuple[str, ...]], frozenset[str]] = LRUCache(answers_size)
        self._areas: LRUCache[tuple[tuple[str, ...], str], dict[str | None, frozenset[str]]] = LRUCache(answers_size)
        self._org_cache: LRUCache[str, Organization] = LRUCache(maxsize=cache_size)
        self._count: int | None = None
        self._active: int | None = None
        self._graph_rev = 0
        self._lifted_kept: tuple[int, dict[str, int]] | None = (
            None  # (graph revision, edge -> active services adding it)
        )
        with db.session() as s:
            self.revision = current_revision(s)
            self._total = current_version_sum(s)
            self._inactive_orgs = self._deactivated(s)

    @staticmethod
    def _deactivated(session: Session) -> set[str]:
        return set(session.scalars(select(OrganizationRow.id).where(OrganizationRow.deactivated_at.is_not(None))))

    def offered(self, service_id: str) -> bool:
        svc = self.get_card(service_id)
        return svc is not None and svc.status == "active" and svc.organization_id not in self._inactive_orgs

    def set_organization_active(self, org_id: str, active: bool) -> None:
        raise CatalogError("a database-backed catalog reads organisations' deactivation from the database")

    # ------------------------------------------------------------------ following changes
    def refresh(self, session: Session | None = None) -> int:
        """Drop what changed since the last revision seen (services written since, and the
        organisations when some write was not a service's); returns the revision now."""
        if session is None:
            with self.db.session() as s:
                return self.refresh(s)
        rev = current_revision(session)
        if rev == self.revision:
            return rev
        rows = session.execute(
            select(
                ServiceRow.id, ServiceRow.revision, ServiceRow.kinds, ServiceRow.place_keys, ServiceRow.active
            ).where(ServiceRow.revision > self.revision)
        ).all()
        total = current_version_sum(session)
        inactive = self._deactivated(session)
        with self._lock:
            if inactive != self._inactive_orgs:
                self._inactive_orgs = inactive
                self._answers.clear()
                self._areas.clear()
            changed = {sid for sid, *_ in rows}
            for sid in changed:
                self._cache.pop(sid, None)
                self.cache.drop(sid)
            # an answer moves only if a changed service was in it or now matches it
            now = [(set(kinds), set(keys)) for _, _, kinds, keys, active in rows if active]
            for question, ids in list(self._answers.items()):
                kinds, keys = question
                if ids & changed or any(k.intersection(kinds) and p.intersection(keys) for k, p in now):
                    del self._answers[question]
            for asked, by_area in list(self._areas.items()):
                kinds, country = asked
                here = country_key(country)
                if any(ids & changed for ids in by_area.values()) or any(
                    k.intersection(kinds) and here in p for k, p in now
                ):
                    del self._areas[asked]
            if len({r for _, r, *_ in rows if r <= rev}) < rev - self.revision:
                self._org_cache.clear()  # an organisation changed (its revision step has no service row)
            if rows:
                self._graph_rev += 1
                self._count = self._active = None
            self._total = total
            self._version = None
            self.revision = rev
        return rev

    def upsert_service(self, service: Service) -> None:
        raise CatalogError("a database-backed catalog changes through the database (save_service, import_catalog)")

    def upsert_organization(self, org: Organization) -> None:
        raise CatalogError("a database-backed catalog changes through the database (save_organization)")

    def put_card(self, card: ServiceCard, digest: bytes, service: Service | None = None) -> None:
        raise CatalogError("a database-backed catalog changes through the database")

    def remove_service(self, service_id: str) -> None:
        raise CatalogError("a database-backed catalog changes through the database")

    # ------------------------------------------------------------------ records
    def _load(self, ids: Iterable[str]) -> None:
        """Put the cards of ``ids`` not cached yet into the cache (one query per chunk; the
        full records read on the way go to the record cache)."""
        with self._lock:
            missing = [sid for sid in ids if sid not in self._cache]
        if not missing:
            return
        found: dict[str, _Entry] = {}
        with self.db.session() as s:
            for i in range(0, len(missing), _CHUNK):
                part = missing[i : i + _CHUNK]
                q = select(ServiceRow.id, func.cast(ServiceRow.data, Text), ServiceRow.digest).where(
                    ServiceRow.id.in_(part)
                )
                for sid, raw, digest in s.execute(q):
                    svc = Service.model_validate_json(raw)
                    found[sid] = _Entry(card_of(svc, self._full), next(_serials), digest or "")
                    self.cache.put(svc)
        with self._lock:
            for sid, entry in found.items():
                if sid not in self._cache:
                    self._cache[sid] = entry

    def _entry(self, service_id: str) -> _Entry | None:
        with self._lock:
            hit = self._cache.get(service_id)
            if hit is not None:
                return hit
        self._load([service_id])
        with self._lock:
            return self._cache.get(service_id)

    def _read(self, ids: list[str], *, keep: bool = True) -> dict[str, Service]:
        """Full records of ``ids`` from the record cache, the rest from the database."""
        out: dict[str, Service] = {}
        missing: list[str] = []
        for sid in ids:
            hit = self.cache.get(sid)
            if hit is None:
                missing.append(sid)
            else:
                out[sid] = hit
        if missing and self._source is not None:
            for sid, svc in self._source(missing).items():
                out[sid] = svc
                if keep:
                    self.cache.put(svc)
        return out

    def get(self, service_id: str) -> Service | None:
        return self._read([service_id]).get(service_id)

    def prefetch(self, service_ids: Iterable[str]) -> None:
        self._read(list(dict.fromkeys(service_ids))[: self.cache.size])

    def card(self, service_id: str) -> ServiceCard:
        entry = self._entry(service_id)
        if entry is None:
            raise CatalogError(f"no service {service_id!r}")
        return entry.card

    def get_card(self, service_id: str) -> ServiceCard | None:
        entry = self._entry(service_id)
        return None if entry is None else entry.card

    def cards(self) -> Iterator[ServiceCard]:
        """Every service's card, read from the database a page at a time (not cached)."""
        full = self._full
        return (card_of(svc, full) for svc in self)

    def active_ids(self) -> list[str]:
        """Refused: a list of every active id is a question over the whole catalog that no
        caller of a database-backed catalog needs (see :meth:`held_active_ids`)."""
        raise CatalogError(
            "active_ids() needs the whole catalog in memory; a database-backed catalog does not hold it "
            "(held_active_ids(): the services this worker caches; iter() or cards(): every service, paged)"
        )

    def held_active_ids(self) -> list[str]:
        with self._lock:
            return [sid for sid, e in self._cache.items() if e.card.status == "active"]

    def held_serials(self) -> set[int]:
        with self._lock:
            return {e.serial for e in self._cache.values()}

    def serial(self, service_id: str) -> int:
        entry = self._entry(service_id)
        if entry is None:
            raise KeyError(service_id)
        return entry.serial

    def digest(self, service_id: str) -> str:
        entry = self._entry(service_id)
        if entry is None:
            raise KeyError(service_id)
        return entry.digest

    def __contains__(self, service_id: object) -> bool:
        return isinstance(service_id, str) and self._entry(service_id) is not None

    def __len__(self) -> int:
        if self._count is None:
            with self.db.session() as s:
                self._count = int(s.scalar(select(func.count()).select_from(ServiceRow)) or 0)
        return self._count

    def active_count(self) -> int:
        if self._active is None:
            with self.db.engine.connect() as conn:
                self._active = int(
                    conn.scalar(select(func.count()).select_from(ServiceRow).where(ServiceRow.active.is_(True))) or 0
                )
        return self._active

    def __iter__(self) -> Iterator[Service]:
        """Every service in the database, ordered by id, read ``_PAGE`` at a time (keyset
        paging: each page one indexed query; nothing goes to the caches)."""
        return self.services_where()

    def services_where(self, *conditions: Any, offset: int = 0, limit: int | None = None) -> Iterator[Service]:
        """The services meeting ``conditions`` (on :class:`ServiceRow` columns), ordered by
        id: ``limit`` of them from ``offset`` (one query), or every one (``limit`` None: a
        page of ``_PAGE`` at a time, keyset-paged). Nothing goes to the caches."""
        base = select(ServiceRow.id, func.cast(ServiceRow.data, Text)).where(*conditions).order_by(ServiceRow.id)
        if limit is not None:
            with self.db.session() as s:
                rows = s.execute(base.offset(offset).limit(limit)).all()
            yield from (Service.model_validate_json(raw) for _sid, raw in rows)
            return
        after: str | None = None
        while True:
            q = base.limit(_PAGE) if after is None else base.where(ServiceRow.id > after).limit(_PAGE)
            with self.db.session() as s:
                rows = s.execute(q).all()
            for _sid, raw in rows:
                yield Service.model_validate_json(raw)
            if len(rows) < _PAGE:
                return
            after = rows[-1][0]

    def count_where(self, *conditions: Any) -> int:
        """How many services meet ``conditions`` (see :meth:`services_where`)."""
        with self.db.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(ServiceRow).where(*conditions)) or 0)

    def ids(self) -> Iterator[str]:
        """Every service id in the database, ordered, read ``_PAGE * 10`` at a time."""
        after: str | None = None
        while True:
            q = select(ServiceRow.id).order_by(ServiceRow.id).limit(_PAGE * 10)
            if after is not None:
                q = q.where(ServiceRow.id > after)
            with self.db.session() as s:
                page = list(s.scalars(q))
            yield from page
            if len(page) < _PAGE * 10:
                return
            after = page[-1]

    def held(self) -> int:
        return len(self._cache)

    def organization(self, org_id: str) -> Organization:
        with self._lock:
            hit = self._org_cache.get(org_id)
            if hit is not None:
                return hit
        with self.db.session() as s:
            data = s.scalar(select(OrganizationRow.data).where(OrganizationRow.id == org_id))
        if data is None:
            raise CatalogError(f"no organization {org_id!r}")
        org = Organization.model_validate(data)
        with self._lock:
            org = self._org_cache.setdefault(org_id, org)
        return org

    def get_organization(self, org_id: str) -> Organization | None:
        try:
            return self.organization(org_id)
        except CatalogError:
            return None

    @property
    def organizations(self) -> dict[str, Organization]:
        """Every organisation, read from the database on each call (one record:
        :meth:`organization` or :meth:`get_organization`, cached)."""
        with self.db.session() as s:
            return {o.id: o for o in (Organization.model_validate(d) for d in s.scalars(select(OrganizationRow.data)))}

    def services_of(self, org_id: str) -> list[Service]:
        with self.db.session() as s:
            raw = s.scalars(
                select(func.cast(ServiceRow.data, Text))
                .where(ServiceRow.organization_id == org_id)
                .order_by(ServiceRow.id)
            )
            return [Service.model_validate_json(t) for t in raw]

    def to_data(self) -> CatalogData:
        with self.db.session() as s:
            services = [
                Service.model_validate_json(t)
                for t in s.scalars(select(func.cast(ServiceRow.data, Text)).order_by(ServiceRow.id))
            ]
        orgs = sorted(self.organizations.values(), key=lambda o: o.id)
        return CatalogData(catalog=self.name, sample=False, notice=None, organizations=orgs, services=services)

    # ------------------------------------------------------------------ versions
    @property
    def version(self) -> str:
        with self._lock:
            if self._version is None:
                extra = sum(version_term("x", org_id, "inactive") for org_id in self._inactive_orgs)
                self._version = version_from_sum(self._total + extra)
            return self._version

    @property
    def graph_revision(self) -> int:
        """Moves whenever a service changed (the database does not say which facts did)."""
        return self._graph_rev

    def lifted_edges(self, without: str | None = None) -> set[tuple[str, str]]:
        """As the in-memory catalog: the edges the active services add, less those only
        ``without`` adds. How many active services add each edge is one aggregate over the
        active rows (no index serves a distinct over array elements), kept until
        :attr:`graph_revision` moves; ``without`` costs one read by primary key."""
        counts = self._lifted_counts()
        edges = set(counts)
        if without is not None:
            with self.db.session() as s:
                own = s.scalar(select(ServiceRow.lifted).where(ServiceRow.id == without, ServiceRow.active.is_(True)))
            edges -= {e for e in own or () if counts.get(e, 0) <= 1}
        return {tuple(e.split(">", 1)) for e in edges}  # type: ignore[misc]

    def _lifted_counts(self) -> dict[str, int]:
        with self._lock:
            kept = self._lifted_kept
            if kept is not None and kept[0] == self._graph_rev:
                return kept[1]
            rev = self._graph_rev
        edge = func.unnest(ServiceRow.lifted).label("edge")
        inner = select(edge).where(ServiceRow.active.is_(True)).subquery()
        with self.db.engine.connect() as conn:
            counts = {e: int(n) for e, n in conn.execute(select(inner.c.edge, func.count()).group_by(inner.c.edge))}
        with self._lock:
            if rev == self._graph_rev:  # not kept if a change came meanwhile
                self._lifted_kept = (rev, counts)
        return counts

    # ------------------------------------------------------------------ retrieval
    def _offered_condition(self) -> list[Any]:
        """The condition leaving out deactivated organisations' services (none: no condition)."""
        inactive = sorted(self._inactive_orgs)
        return [ServiceRow.organization_id.not_in(inactive)] if inactive else []

    def _ids(self, *conditions: Any) -> set[str]:
        with self.db.engine.connect() as conn:  # a bare connection: a third of a session's cost
            return set(conn.scalars(select(ServiceRow.id).where(ServiceRow.active.is_(True), *conditions)))

    def candidates(self, kinds: Iterable[str], places: Iterable[Place]) -> set[str]:
        """Active services of any of ``kinds`` serving any of ``places``: one indexed query
        (``kinds && ... AND place_keys && ...``), its answer kept until a change could move
        it; the records found are cached at once."""
        question = (tuple(sorted(set(kinds))), tuple(client_place_keys(places)))
        if not question[0] or not question[1]:
            return set()
        with self._lock:
            hit = self._answers.get(question)
        if hit is None:
            revision = self.revision
            found = frozenset(
                self._ids(
                    _overlaps(ServiceRow.kinds, question[0]),
                    _overlaps(ServiceRow.place_keys, question[1]),
                    *self._offered_condition(),
                )
            )
            with self._lock:
                if revision == self.revision:  # not kept if a change came meanwhile: it may be missing
                    self._answers[question] = found
            hit = found
        if len(hit) <= self.cache_size:
            self._load(hit)
        return set(hit)

    def in_country(self, kinds: Iterable[str], country: str) -> dict[str | None, set[str]]:
        asked = (tuple(sorted(set(kinds))), country)
        if not asked[0]:
            return {}
        with self._lock:
            hit = self._areas.get(asked)
        if hit is None:
            revision = self.revision
            hit = self._in_country(asked[0], country)
            with self._lock:
                if revision == self.revision:
                    self._areas[asked] = hit
        return {area: set(ids) for area, ids in hit.items()}

    def _in_country(self, kinds: tuple[str, ...], country: str) -> dict[str | None, frozenset[str]]:
        with self.db.engine.connect() as conn:
            rows = conn.execute(
                select(ServiceRow.id, ServiceRow.place_keys).where(
                    ServiceRow.active.is_(True),
                    _overlaps(ServiceRow.kinds, kinds),
                    _contains(ServiceRow.place_keys, [country_key(country)]),
                    *self._offered_condition(),
                )
            ).all()
        prefix, remote = f"p:{country}:", remote_key(country)
        out: dict[str | None, set[str]] = {}
        for sid, keys in rows:
            for key in keys:
                if key == remote:
                    out.setdefault(None, set()).add(sid)
                elif key.startswith(prefix):
                    out.setdefault(key[len(prefix) :] or None, set()).add(sid)
        return {area: frozenset(ids) for area, ids in out.items()}

    def speaking(self, languages: Iterable[str]) -> set[str]:
        langs = list(languages)
        if not langs:
            return set()
        return self._ids(_overlaps(ServiceRow.languages, langs))

    def interpreting(self) -> set[str]:
        return self._ids(ServiceRow.interpretation.is_(True))
