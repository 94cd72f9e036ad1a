"""Catalog persistence: organisations and services, versioned, with a revision counter
that lets every process follow changes made by any other."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

import orjson
from sqlalchemy import Table, Text, func, insert, select, text, update
from sqlalchemy.orm import Session

from freechoice.catalog.bulk import gc_paused
from freechoice.catalog.index import Catalog, ServiceSource, version_term
from freechoice.catalog.models import Organization, Service

from .engine import RawJSON
from .retrieval_columns import organization_digest, service_columns
from .tables import CatalogState, OrganizationRow, ServiceRow, ServiceVersion

__all__ = [
    "CATALOG_CHANNEL",
    "CatalogFollower",
    "ImportSummary",
    "bump_revision",
    "catalog_changes",
    "current_revision",
    "current_version_sum",
    "import_catalog",
    "load_catalog",
    "save_organization",
    "save_service",
    "service_records",
    "service_revisions",
    "service_rows_match",
    "service_source",
]


CATALOG_CHANNEL = "freechoice_catalog"
"""The PostgreSQL NOTIFY channel every catalog write signals on (payload: the new revision)."""


_IN_BATCH = 10_000


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def current_revision(session: Session) -> int:
    rev = session.scalar(select(CatalogState.revision).where(CatalogState.id == 1))
    return int(rev or 0)


def bump_revision(session: Session) -> int:
    """Move the catalog revision on (inside the caller's transaction) and return it: one
    statement (on PostgreSQL it also sends the NOTIFY)."""
    step = update(CatalogState).where(CatalogState.id == 1).values(revision=CatalogState.revision + 1)
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        # delivered when (and only if) the transaction commits: listening workers apply it at once
        moved = step.returning(CatalogState.revision).cte("moved")
        rev = session.scalar(
            select(moved.c.revision).add_columns(func.pg_notify(CATALOG_CHANNEL, func.cast(moved.c.revision, Text)))
        )
    else:
        rev = session.scalar(step.returning(CatalogState.revision))
    if rev is None:  # no state row yet
        session.add(CatalogState(id=1, revision=1))
        session.flush()
        rev = 1
        if postgres:
            session.execute(text("SELECT pg_notify(:channel, '1')"), {"channel": CATALOG_CHANNEL})
    return int(rev)


_MOD = 1 << 256


def current_version_sum(session: Session) -> int:
    """The running sum the catalog version is made of (``index.version_from_sum``)."""
    value = session.scalar(select(CatalogState.version_sum).where(CatalogState.id == 1))
    return int(value, 16) if value else 0


def _move_version_sum(session: Session, delta: int) -> None:
    """Add ``delta`` to the version's running sum, inside the caller's transaction (after
    :func:`bump_revision`, whose update holds the row: concurrent writers queue here)."""
    if delta % _MOD == 0:
        return
    value = session.scalar(select(CatalogState.version_sum).where(CatalogState.id == 1).with_for_update())
    total = (int(value, 16) if value else 0) + delta
    session.execute(update(CatalogState).where(CatalogState.id == 1).values(version_sum=f"{total % _MOD:064x}"))


def _change(kind: str, key: str, old: str | None, new: str | None) -> int:
    """The version sum's move when a record's digest goes from ``old`` to ``new``."""
    if old == new:
        return 0
    return (version_term(kind, key, new) if new else 0) - (version_term(kind, key, old) if old else 0)


def save_organization(session: Session, org: Organization, actor: str) -> None:
    row = session.get(OrganizationRow, org.id)
    data = org.model_dump(mode="json")
    digest = organization_digest(org)
    old = None if row is None else row.digest
    if row is None:
        session.add(OrganizationRow(id=org.id, name=org.name, data=data, updated_by=actor, digest=digest))
    else:
        row.name, row.data, row.updated_by, row.updated_at, row.digest = org.name, data, actor, _now(), digest
    bump_revision(session)
    _move_version_sum(session, _change("o", org.id, old, digest))


def save_service(session: Session, service: Service, actor: str, change: str, revision: int | None = None) -> int:
    """Insert or update a service, recording the new version; returns the version number."""
    data = service.model_dump(mode="json")
    columns = service_columns(service)
    rev = bump_revision(session) if revision is None else revision
    row = session.get(ServiceRow, service.id)
    old = None if row is None else row.digest
    if row is None:
        version = 1
        session.add(
            ServiceRow(
                id=service.id,
                organization_id=service.organization_id,
                status=service.status,
                version=1,
                revision=rev,
                data=data,
                updated_by=actor,
                **columns,
            )
        )
    else:
        version = row.version + 1
        row.organization_id, row.status, row.version, row.revision = (
            service.organization_id,
            service.status,
            version,
            rev,
        )
        row.data, row.updated_by, row.updated_at = data, actor, _now()
        for name, value in columns.items():
            setattr(row, name, value)
    _move_version_sum(session, _change("s", service.id, old, columns["digest"]))
    session.add(ServiceVersion(service_id=service.id, version=version, change=change, data=data, changed_by=actor))
    return version


def load_catalog(
    session: Session, *, sample: bool = False, source: ServiceSource | None = None, cache_size: int = 2000
) -> tuple[Catalog, int]:
    """The whole catalog from the database, and the revision it reflects.

    With ``source`` (see :func:`service_source`) the catalog keeps only each service's
    card in memory and reads full records through ``source`` (a cache of ``cache_size``):
    the rows are read a batch at a time, so the full records never all sit in memory."""
    rev = current_revision(session)
    orgs = [Organization.model_validate(d) for d in session.scalars(select(OrganizationRow.data))]
    # raw JSON text, parsed by pydantic directly: the ORM's per-row JSON handling costs more than validation
    query = select(func.cast(ServiceRow.data, Text))
    if source is None:
        services = [Service.model_validate_json(t) for t in session.execute(query).scalars()]
        catalog = Catalog(orgs, services, sample=sample)
    else:
        catalog = Catalog(orgs, sample=sample, source=source, cache_size=0)
        for t in session.execute(query.execution_options(yield_per=2000)).scalars():
            catalog.upsert_service(Service.model_validate_json(t))  # the cache holds none yet: only the card stays
        catalog.cache.size = max(0, cache_size)
    for org_id in session.scalars(select(OrganizationRow.id).where(OrganizationRow.deactivated_at.is_not(None))):
        catalog.set_organization_active(org_id, False)
    return catalog, rev


def service_source(session_factory: Callable[[], Session]) -> ServiceSource:
    """A reader of full service records by id, each call in a session of its own (for
    :class:`~freechoice.catalog.Catalog`'s ``source``)."""

    def read(ids: list[str]) -> dict[str, Service]:
        out: dict[str, Service] = {}
        with session_factory() as session:
            for i in range(0, len(ids), _IN_BATCH):
                rows = session.execute(
                    select(func.cast(ServiceRow.data, Text)).where(ServiceRow.id.in_(ids[i : i + _IN_BATCH]))
                ).scalars()
                for t in rows:
                    svc = Service.model_validate_json(t)
                    out[svc.id] = svc
        return out

    return read


def service_revisions(session: Session) -> dict[str, int]:
    """Every service id and the revision its row was last written at."""
    return {sid: int(rev) for sid, rev in session.execute(select(ServiceRow.id, ServiceRow.revision))}


def service_rows_match(
    session: Session, made_at: int, ids: list[str], revisions: list[int]
) -> tuple[str | None, set[str]]:
    """Whether the service rows written at or before revision ``made_at`` are exactly
    ``ids`` (sorted) with their row ``revisions`` (those of ``ids`` written since left
    aside): None, or why not; and the ids of the rows written since. On PostgreSQL the
    database works out one digest of its rows (nothing read row by row); on SQLite the
    rows are read and the digest worked out here."""
    since = set(session.scalars(select(ServiceRow.id).where(ServiceRow.revision > made_at)))
    listed = ",".join([f"{sid}:{rev}" for sid, rev in zip(ids, revisions, strict=True) if sid not in since])
    if session.get_bind().dialect.name == "postgresql":
        found = session.execute(
            text(
                "SELECT md5(coalesce(string_agg(id || ':' || revision, ',' ORDER BY id COLLATE \"C\"), '')) "
                f"FROM {ServiceRow.__tablename__} WHERE revision <= :made_at"
            ),
            {"made_at": made_at},
        ).scalar_one()
    else:
        rows = sorted(
            session.execute(select(ServiceRow.id, ServiceRow.revision).where(ServiceRow.revision <= made_at)).all()
        )
        found = hashlib.md5(",".join(f"{sid}:{rev}" for sid, rev in rows).encode(), usedforsecurity=False).hexdigest()
    if found != hashlib.md5(listed.encode(), usedforsecurity=False).hexdigest():
        return f"its services are not the database's rows as of revision {made_at}: another database", since
    return None, since


def catalog_changes(session: Session, since: int) -> tuple[list[Organization], list[Service], int]:
    """Organisations (all) and the services changed after revision ``since``."""
    rev = current_revision(session)
    if rev == since:
        return [], [], rev
    orgs = [Organization.model_validate(r.data) for r in session.scalars(select(OrganizationRow))]
    services = [
        Service.model_validate(r.data) for r in session.scalars(select(ServiceRow).where(ServiceRow.revision > since))
    ]
    return orgs, services, rev


class CatalogFollower:
    """Follows the catalog one change at a time: each call to :meth:`changes` reads only
    the services written after the last revision seen (the revision is a change sequence:
    a missed signal is caught up by the next call), and, only when some revision step is
    not a service row's (an organisation write), the organisations whose ``updated_at``
    or ``deactivated_at`` moved; never the whole catalog. ``deactivated``: the ids of the
    deactivated organisations as last read."""

    def __init__(self, session: Session, revision: int) -> None:
        self.revision = revision
        self._org_stamps = self._stamps(session)
        self.deactivated = self._deactivated(self._org_stamps)

    @staticmethod
    def _stamps(session: Session) -> dict[str, tuple[dt.datetime, dt.datetime | None]]:
        """Each organisation's ``updated_at`` and ``deactivated_at``: either moving is a change."""
        rows = session.execute(select(OrganizationRow.id, OrganizationRow.updated_at, OrganizationRow.deactivated_at))
        return {oid: (at, off) for oid, at, off in rows}

    @staticmethod
    def _deactivated(stamps: dict[str, tuple[dt.datetime, dt.datetime | None]]) -> frozenset[str]:
        return frozenset(oid for oid, (_, off) in stamps.items() if off is not None)

    def written(self, revision: int) -> bool:
        """The caller wrote one service as ``revision`` and applied it itself: True (and
        the revision is taken as seen) when it is the next change in sequence, so there is
        nothing else to read; False when other changes came between (read them with
        :meth:`changes`) or ``revision`` was seen already."""
        if revision != self.revision + 1:
            return False
        self.revision = revision
        return True

    def changes(self, session: Session) -> tuple[list[Organization], list[Service], int]:
        """Organisations and services changed since the last call, and the revision now."""
        rev = current_revision(session)
        if rev == self.revision:
            return [], [], rev
        rows = session.execute(
            select(ServiceRow.revision, func.cast(ServiceRow.data, Text)).where(ServiceRow.revision > self.revision)
        ).all()
        services = [Service.model_validate_json(t) for _, t in rows]
        # Every write moves the revision by one and a service write stamps its row with it:
        # when the changed rows account for every step, no organisation changed.
        # (rows written after ``rev`` was read explain nothing below it)
        if len({r for r, _ in rows if r <= rev}) >= rev - self.revision:
            self.revision = rev
            return [], services, rev
        stamps = self._stamps(session)
        moved = [oid for oid, at in stamps.items() if self._org_stamps.get(oid) != at]
        orgs = (
            [
                Organization.model_validate(d)
                for d in session.scalars(select(OrganizationRow.data).where(OrganizationRow.id.in_(moved)))
            ]
            if moved
            else []
        )
        self._org_stamps, self.revision = stamps, rev
        self.deactivated = self._deactivated(stamps)
        return orgs, services, rev


def service_records(session: Session) -> tuple[list[Organization], list[dict[str, Any]]]:
    """Organisations and services' stored JSON, without building a catalog (for exports)."""
    with gc_paused():
        return _service_records(session)


def _service_records(session: Session) -> tuple[list[Organization], list[dict[str, Any]]]:
    orgs = [Organization.model_validate(d) for d in session.scalars(select(OrganizationRow.data))]
    raw = session.execute(select(func.cast(ServiceRow.data, Text))).scalars()
    return orgs, [orjson.loads(t) for t in raw]


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int


def import_catalog(
    session: Session, organizations: Iterable[Organization], services: Iterable[Service], *, actor: str
) -> ImportSummary:
    """Upsert many records in the caller's transaction; unchanged records get no new version."""
    with gc_paused():
        return _import_catalog(session, organizations, services, actor=actor)


def _import_catalog(
    session: Session, organizations: Iterable[Organization], services: Iterable[Service], *, actor: str
) -> ImportSummary:
    created = updated = unchanged = 0
    org_changes = 0
    delta = 0  # the version sum's move
    now = _now()  # one timestamp for the whole import (datetime.now is costly per row)
    org_rows = {r.id: r for r in session.scalars(select(OrganizationRow))}
    for org in organizations:
        org_data = org.model_dump(mode="json")
        org_row = org_rows.get(org.id)
        if org_row is None:
            org_changes += 1
            digest = organization_digest(org)
            delta += _change("o", org.id, None, digest)
            session.add(OrganizationRow(id=org.id, name=org.name, data=org_data, updated_by=actor, digest=digest))
        elif org_row.data != org_data:
            org_changes += 1
            digest = organization_digest(org)
            delta += _change("o", org.id, org_row.digest, digest)
            org_row.name, org_row.data, org_row.updated_by, org_row.updated_at = org.name, org_data, actor, now
            org_row.digest = digest
    session.flush()
    if org_changes:  # a revision of their own, that no service row accounts for (see CatalogFollower)
        bump_revision(session)
        _move_version_sum(session, delta)
        delta = 0
    rev = current_revision(session) + 1  # the revision this import becomes, if it changes anything
    services = list(services)
    ids = [s.id for s in services]
    existing: dict[str, ServiceRow] = {}
    for i in range(0, len(ids), _IN_BATCH):  # PostgreSQL takes at most 65,535 parameters a statement
        existing.update(
            (r.id, r) for r in session.scalars(select(ServiceRow).where(ServiceRow.id.in_(ids[i : i + _IN_BATCH])))
        )
    new_rows: list[dict[str, Any]] = []
    new_versions: list[dict[str, Any]] = []
    data: Any
    for svc in services:
        row = existing.get(svc.id)
        if row is None:
            data = RawJSON(svc.model_dump_json())  # stored as serialised: no dict built for new rows
            created += 1
            columns = service_columns(svc, data)
            delta += _change("s", svc.id, None, columns["digest"])
            new_rows.append(
                dict(
                    id=svc.id,
                    organization_id=svc.organization_id,
                    status=svc.status,
                    version=1,
                    revision=rev,
                    data=data,
                    updated_by=actor,
                    updated_at=now,
                    **columns,
                )
            )
            new_versions.append(
                dict(service_id=svc.id, version=1, change="import", data=data, changed_by=actor, changed_at=now)
            )
            continue
        data = orjson.loads(svc.model_dump_json())
        if row.data == data:
            unchanged += 1
        else:
            updated += 1
            columns = service_columns(svc)
            delta += _change("s", svc.id, row.digest, columns["digest"])
            row.status, row.version, row.revision, row.data = svc.status, row.version + 1, rev, data
            row.organization_id, row.updated_by, row.updated_at = svc.organization_id, actor, now
            for name, value in columns.items():
                setattr(row, name, value)
            new_versions.append(
                dict(
                    service_id=svc.id, version=row.version, change="import", data=data, changed_by=actor, changed_at=now
                )
            )
    if new_rows:
        session.execute(insert(cast(Table, ServiceRow.__table__)), new_rows)
    if new_versions:
        session.execute(insert(cast(Table, ServiceVersion.__table__)), new_versions)
    if created or updated:
        bump_revision(session)
        _move_version_sum(session, delta)
    return ImportSummary(created, updated, unchanged)
