"""What one worker process keeps in memory: the indexed catalog, the compiled rules,
the quality signal; and how it follows changes other workers wrote to the database."""

from __future__ import annotations

import gc
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from freechoice.catalog import Catalog, Organization, Problem, Service, ValidationFailed, load_sample_catalog
from freechoice.catalog.bulk import gc_paused
from freechoice.catalog.db import (
    CATALOG_CHANNEL,
    RETRIEVAL_MODES,
    CatalogFollower,
    Database,
    DatabaseCatalog,
    current_revision,
    import_catalog,
    load_catalog,
    service_revisions,
    service_rows_match,
    service_source,
)
from freechoice.catalog.db.tables import FeedbackRow, OrganizationRow, RulePackRow, ServiceRow
from freechoice.engine import (
    ChildPolicy,
    CompiledRules,
    catalog_from_snapshot,
    compile_rules,
    load_rules,
    load_snapshot,
    save_snapshot,
)
from freechoice.engine.casework import Programme
from freechoice.rules import parse_pack

from .auth import access_revision
from .listen import ChangeListener
from .ratelimit import RateLimiter
from .settings import Settings

__all__ = ["AppState", "KeyCache", "Preloaded", "preload_catalog"]

log = logging.getLogger("freechoice.catalog")


class KeyCache:
    """Verified keys, remembered for ``ttl`` seconds so each request does not hit the
    database, and all forgotten when the access revision moves (a key revoked or an
    organisation deactivated in any worker). The revision is checked at most every
    ``check_seconds`` (:meth:`check_due`, :meth:`observe`): that bounds how long a
    revoked key keeps working in a worker that remembers it."""

    def __init__(self, ttl: float, check_seconds: float = 0.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.check_seconds, self.clock = ttl, check_seconds, clock
        self.revision: int | None = None
        self._checked = -math.inf
        self._items: dict[str, tuple[float, Any]] = {}

    def check_due(self) -> bool:
        """True when the access revision should be read again before trusting the cache."""
        return self.clock() - self._checked >= self.check_seconds

    def observe(self, revision: int) -> None:
        """The access revision just read from the database: forget every key when it moved."""
        if revision != self.revision:
            self._items.clear()
            self.revision = revision
        self._checked = self.clock()

    def get(self, token: str) -> Any:
        hit = self._items.get(token)
        if hit is None or self.clock() - hit[0] > self.ttl:
            return None
        return hit[1]

    def put(self, token: str, principal: Any, revision: int | None) -> None:
        """Remember ``principal``, verified while the revision was ``revision`` (nothing
        is remembered if the revision moved meanwhile: the check may be stale)."""
        if self.ttl > 0 and revision == self.revision:
            if len(self._items) > 10_000:
                self._items.clear()
            self._items[token] = (self.clock(), principal)

    def forget(self, key_id: str) -> None:
        for token, (_, p) in list(self._items.items()):
            if p.key_id == key_id:
                del self._items[token]


def _active_rules(session: Any, settings: Settings) -> tuple[int, CompiledRules]:
    active = session.scalars(select(RulePackRow).order_by(RulePackRow.id.desc()).limit(1)).first()
    if active is not None:
        return active.id, compile_rules(parse_pack(active.data))
    return 0, load_rules(settings.rules_path)


_RESNAPSHOT_CHANGES = 1000  # more changes than this caught up after a snapshot: write it again


@dataclass
class _Loaded:
    catalog: Catalog
    revision: int
    follower: CatalogFollower
    rules_row: int
    rules: CompiledRules
    from_snapshot: bool


def _is_active(catalog: Catalog, service_id: str) -> bool:
    card = catalog.get_card(service_id)
    return card is not None and card.status == "active"


def _load(settings: Settings, db: Database) -> _Loaded:
    """The catalog (cards only: full records through ``db``) and the active rules, every
    active service tagged: from the snapshot (``catalog_snapshot``) where it matches the
    database, then the rows written since it was made; else every row read and the rules
    run. The snapshot is written again when it was missing, stale or far behind."""
    path = settings.catalog_snapshot
    source = service_source(db.session)
    with db.session() as s, gc_paused():  # millions of new objects, no cycles: no collector walks meanwhile
        row, rules = _active_rules(s, settings)
        loaded = None
        if path and Path(path).exists():
            orgs = [Organization.model_validate(d) for d in s.scalars(select(OrganizationRow.data))]
            loaded = catalog_from_snapshot(
                path,
                orgs,
                lambda made_at, ids, revisions: service_rows_match(s, made_at, ids, revisions),
                current_revision(s),
                rules,
                source=source,
                cache_size=settings.service_cache,
            )
        if loaded is None:
            catalog, revision = load_catalog(s, source=source, cache_size=settings.service_cache)
            seeded = load_snapshot(path, rules, catalog) if path else 0  # the tags may still be of use
        else:
            catalog, revision, seeded = loaded.catalog, loaded.revision, loaded.tagged
        follower = CatalogFollower(s, revision)
        for org_id in follower.deactivated:  # (a snapshot's organisations are read now: mark them as they are)
            catalog.set_organization_active(org_id, False)
        orgs_since, since, revision = follower.changes(s)  # what changed after the snapshot was made
        for org in orgs_since:
            catalog.upsert_organization(org)
        for svc in since:
            catalog.upsert_service(svc)
        if loaded is None:
            rules.prepare(catalog)
        else:  # the snapshot's tags were taken: tag only what they did not cover, and what changed since
            fresh = dict.fromkeys([*loaded.untagged, *(svc.id for svc in since)])
            rules.service_tags(catalog, [sid for sid in fresh if _is_active(catalog, sid)])
        if path and (loaded is None or len(since) > _RESNAPSHOT_CHANGES or seeded < len(catalog.active_ids())):
            save_snapshot(path, rules, catalog, revision, rows=service_revisions(s))
    return _Loaded(catalog, revision, follower, row, rules, loaded is not None)


@dataclass(frozen=True)
class Preloaded:
    """The catalog loaded and tagged once in the server's parent process, before it
    forks its workers, so they start at once and share its memory (copy-on-write).
    Plain data only: no connection, thread or rule engine crosses the fork; each worker
    compiles its rules, takes the tags if the rules version matches (``tags``: by the
    catalog's serials, :meth:`~freechoice.engine.CompiledRules.tag_cache`), and catches
    up on changes made since ``revision``."""

    catalog: Catalog
    revision: int
    follower: CatalogFollower
    rules_version: str
    tags: dict[int, frozenset[str]]


def preload_catalog(settings: Settings) -> Preloaded:
    """Load and tag the catalog (see :class:`Preloaded`), then freeze it out of the
    garbage collector's walks (which would also touch, and so copy, its pages). The
    database is migrated already (``serve`` does it first): a worker built on the
    preloaded catalog does not migrate again."""
    started, cpu = time.perf_counter(), time.process_time()
    with gc_paused():  # millions of new objects, no cycles: no collector walks meanwhile
        db = Database(settings.database_url, data_key=settings.key_setting())
        try:
            done = _load(settings, db)
        finally:
            db.dispose()
        tags = done.rules.tag_cache()  # every active service's (the load prepared the rules)
        log.info(
            "catalog preloaded",
            extra={
                "revision": done.revision,
                "services": len(done.catalog),
                "seconds": round(time.perf_counter() - started, 3),
                "cpu_seconds": round(time.process_time() - cpu, 3),
                "snapshot": done.from_snapshot,
            },
        )
        # Frozen as it is, without a full collection first (a walk over every object
        # loaded, a quarter of a second at 100,000 services, to free the few cycles
        # the imports left): the way the gc module's documentation gives for a fork.
        gc.freeze()
    return Preloaded(done.catalog, done.revision, done.follower, done.rules.version, tags)


class AppState:
    def __init__(self, settings: Settings, preloaded: Preloaded | None = None) -> None:
        self.settings = settings
        self.children = ChildPolicy(
            age_of_majority=settings.age_of_majority, cash_recipient=settings.child_cash_recipient
        )
        self.keys = KeyCache(settings.key_cache_seconds, settings.access_check_seconds)
        self.programme = Programme.model_validate(settings.programme)
        self.db = Database(
            settings.database_url,
            checkpoint_seconds=settings.sqlite_checkpoint_seconds or None,
            data_key=settings.key_setting(),
        )
        if settings.auto_migrate and preloaded is None:  # (serve migrated before it preloaded)
            self.db.upgrade()
        self._lock = threading.RLock()
        if settings.load_sample:
            self.load_sample_if_empty()
        started = time.perf_counter()
        self.read_db: Database | None = None
        self._follower: CatalogFollower | None = None
        from_snapshot = False
        if settings.catalog_retrieval == "database":
            self._open_database_catalog(settings)
        else:
            from_snapshot = self._load_catalog(settings, preloaded)
        log.info(
            "catalog loaded",
            extra={
                "revision": self.revision,
                "retrieval": settings.catalog_retrieval,
                "services": len(self.catalog),
                "seconds": round(time.perf_counter() - started, 3),
                "snapshot": from_snapshot,
                "preloaded": preloaded is not None,
                "worker_pid": os.getpid(),
            },
        )
        self._checked = time.monotonic()
        # The catalog, its indexes and rule tags live as long as the worker: keep the
        # garbage collector from walking them on every full collection (long pauses).
        gc.collect()
        gc.freeze()
        # An option list is a few thousand short-lived objects, all freed by reference
        # counting; with the default thresholds they were promoted while a request was
        # still building them and set off a full collection every hundred requests
        # (up to 15 ms each). Collect the young generation less often, the old rarely.
        gc.set_threshold(5000, 20, 100)
        self._limiters: dict[str, RateLimiter] = {}
        self._quality: Mapping[str, tuple[float, int]] = {}
        self._quality_at = 0.0
        self.listener: ChangeListener | None = None

    def _load_catalog(self, settings: Settings, preloaded: Preloaded | None) -> bool:
        """In-memory retrieval: the whole catalog's cards, indexed and rule-tagged, in this
        worker (full records through a bounded cache); True when read from the snapshot."""
        if preloaded is None:
            done = _load(settings, self.db)
            self.catalog, self.revision, self._follower = done.catalog, done.revision, done.follower
            self.rules_row, self.rules = done.rules_row, done.rules
            return done.from_snapshot
        self.catalog, self.revision, self._follower = preloaded.catalog, preloaded.revision, preloaded.follower
        # full records through this worker's own connections (the parent's stay there)
        self.catalog.attach_source(service_source(self.db.session), settings.service_cache)
        with self.db.session() as s:
            self.rules_row, self.rules = _active_rules(s, settings)
        if preloaded.rules_version == self.rules.version:
            # the parent tagged every active service of this very catalog (same serials)
            self.rules.adopt_tags(preloaded.tags)
        else:
            self.rules.prepare(self.catalog)
        self.current_catalog(force=True)  # what changed since the parent loaded it
        return False

    def _open_database_catalog(self, settings: Settings) -> None:
        """In-database retrieval: nothing loaded; candidates come from SQL on the read
        database (a replica when ``database_read_url`` is set), records through a cache."""
        if self.db.is_sqlite:
            raise ValidationFailed(
                [
                    Problem(
                        "FREECHOICE_CATALOG_RETRIEVAL",
                        "in-database retrieval needs PostgreSQL (FREECHOICE_DATABASE_URL is SQLite); use memory",
                        allowed=RETRIEVAL_MODES,
                        value=settings.catalog_retrieval,
                    )
                ],
                what="configuration",
            )
        read_url = settings.database_read_url
        self.read_db = Database(read_url) if read_url else self.db
        self.catalog = DatabaseCatalog(
            self.read_db, cache_size=settings.catalog_cache_size, record_cache=settings.service_cache
        )
        self.revision = self.catalog.revision
        with self.db.session() as s:
            self.rules_row, self.rules = _active_rules(s, settings)

    def start_listening(self) -> None:
        """On PostgreSQL (and unless turned off), apply other workers' catalog changes as
        their NOTIFY arrives instead of on the next poll."""
        if self.db.is_sqlite or not self.settings.catalog_listen or self.listener is not None:
            return
        self.listener = ChangeListener(
            self.settings.database_url, CATALOG_CHANNEL, lambda _payload: self.current_catalog(force=True)
        ).start()

    def load_sample_if_empty(self) -> bool:
        """Load the fictional sample catalog when the database has no services yet."""
        with self.db.writing() as s:
            if s.scalar(select(func.count()).select_from(ServiceRow)):
                return False
            sample = load_sample_catalog()
            import_catalog(s, sample.organizations.values(), list(sample), actor="sample-loader")
            return True

    def current_catalog(self, *, force: bool = False) -> Catalog:
        """The catalog, brought up to date with changes any worker made (checked at most
        every ``catalog_check_seconds``; at once after this worker's own writes)."""
        now = time.monotonic()
        if not force and now - self._checked < self.settings.catalog_check_seconds:
            return self.catalog
        with self._lock:
            orgs: list[Any] = []
            services: list[Any] = []
            with self.db.session() as s:
                if self._follower is not None:
                    orgs, services, rev = self._follower.changes(s)
                newest = s.scalars(select(RulePackRow).order_by(RulePackRow.id.desc()).limit(1)).first()
            if isinstance(self.catalog, DatabaseCatalog):
                rev = self.catalog.refresh()  # drops from the cache what changed (read database)
            if newest is not None and newest.id != self.rules_row:
                self.rules = compile_rules(parse_pack(newest.data))
                self.rules_row = newest.id
            for org in orgs:  # (in-memory retrieval only: a database-backed catalog read them above)
                assert self._follower is not None
                self.catalog.upsert_organization(org)
                self.catalog.set_organization_active(org.id, org.id not in self._follower.deactivated)
            for svc in services:
                self.catalog.upsert_service(svc)
            if rev != self.revision:
                log.info(
                    "catalog changes applied",
                    extra={
                        "revision": rev,
                        "services": len(services),
                        "organizations": len(orgs),
                        "worker_pid": os.getpid(),
                    },
                )
            self.revision = rev
            self._checked = now
        return self.catalog

    def applied_write(self, service: Service, revision: int) -> Catalog:
        """This worker's own write of ``service``, committed as ``revision``: put into the
        catalog at once, without reading it back, when it is the next change in sequence;
        otherwise (other changes came between) caught up from the database as usual. A
        revision the listener already applied is left as it is."""
        with self._lock:
            if self.revision >= revision:
                return self.catalog
            if self._follower is not None and self._follower.written(revision):
                self.catalog.upsert_service(service)
                self.revision = revision
                log.info(
                    "catalog changes applied",
                    extra={"revision": revision, "services": 1, "organizations": 0, "worker_pid": os.getpid()},
                )
                return self.catalog
        return self.current_catalog(force=True)

    def set_rules(self, rules: CompiledRules, row_id: int) -> None:
        """Use ``rules`` now (other workers pick the new pack up from the database)."""
        with self._lock:
            rules.prepare(self.catalog)
            self.rules = rules
            self.rules_row = row_id

    def quality(self) -> Mapping[str, tuple[float, int]]:
        """Service id -> (mean client satisfaction, number of ratings), from feedback
        tied to a real referral (through the caseworker or the client's code)."""
        now = time.monotonic()
        if now - self._quality_at >= self.settings.quality_seconds:
            with self.db.session() as s:
                rows = s.execute(
                    select(FeedbackRow.service_id, func.avg(FeedbackRow.satisfaction), func.count())
                    .where(FeedbackRow.service_id.is_not(None), FeedbackRow.via.is_not(None))
                    .group_by(FeedbackRow.service_id)
                ).all()
            self._quality = {sid: (float(avg), int(n)) for sid, avg, n in rows}
            self._quality_at = now
        return self._quality

    def limiter(self, action: str, per: str) -> RateLimiter:
        """The rate limiter of ``action`` per ``"key"`` or ``"address"`` (limits from
        the settings ``<action>_per_<per>``)."""
        name = f"{action}_per_{per}"
        limiter = self._limiters.get(name)
        if limiter is None:
            limiter = self._limiters[name] = RateLimiter(
                int(getattr(self.settings, name)), self.settings.rate_window_seconds
            )
        return limiter

    def refresh_access(self) -> None:
        """Read the access revision; forget remembered keys if it moved (blocking: call
        from a worker thread)."""
        with self.db.engine.connect() as conn:  # a bare connection: a third of a session's cost
            self.keys.observe(access_revision(conn))

    def invalidate_quality(self) -> None:
        self._quality_at = 0.0

    def close(self) -> None:
        if self.listener is not None:
            self.listener.stop()
        if self.read_db is not None and self.read_db is not self.db:
            self.read_db.dispose()
        self.db.dispose()
