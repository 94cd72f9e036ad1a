"""Retention: each organisation's option lists and assessments are removed after the
number of days it set (or the service default), by ``freechoice retention run`` and
by a background task in the server. The same run removes what the service keeps for
itself: expired sign-in sessions, stored idempotent responses, delivered (and, if
set, dead) webhook deliveries, and audit entries older than the audit period.

The clock is passed in (``now``), so the policy is tested with real rows and no
waiting. Of several workers, one runs the purge per interval: the run is claimed in
the ``maintenance_runs`` table first.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from freechoice.catalog.db import Database
from freechoice.catalog.db.erasure import Removal, remove_cases
from freechoice.catalog.db.tables import (
    AuditEntry,
    IdempotencyRecord,
    MaintenanceRun,
    OrganizationRow,
    WebhookDelivery,
    WebSession,
)
from freechoice.engine.referrals import FINAL

from .auth import Principal
from .records import audit

__all__ = [
    "Periods",
    "RetentionReport",
    "RetentionSchedule",
    "retention_loop",
    "run_retention",
    "utcnow",
]

log = logging.getLogger("freechoice.retention")
TASK = "retention"
SERVICE = "service"  # the organisation named in the audit entry of the service's own purge


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)  # SQLite gives naive UTC back


@dataclass(frozen=True)
class Periods:
    """How long the service keeps its own records (the settings of the same names;
    0 days: kept until someone acts)."""

    idempotency_hours: float = 24.0
    webhook_delivered_days: float = 30.0
    webhook_dead_days: float = 0.0
    audit_days: int = 730

    @classmethod
    def of(cls, settings: Any) -> Periods:
        """The periods a :class:`~freechoice.api.settings.Settings` sets."""
        return cls(
            idempotency_hours=settings.idempotency_hours,
            webhook_delivered_days=settings.webhook_delivered_days,
            webhook_dead_days=settings.webhook_dead_days,
            audit_days=settings.audit_retention_days,
        )


@dataclass
class RetentionReport:
    """What a run removed (or, dry, would remove): per organisation, with its period."""

    now: dt.datetime
    dry_run: bool
    organizations: dict[str, tuple[int, Removal]] = field(default_factory=dict)
    idempotency_records: int = 0
    web_sessions: int = 0
    webhook_delivered: int = 0
    webhook_dead: int = 0
    audit_entries: int = 0

    def housekeeping(self) -> dict[str, int]:
        """What went of the service's own records (not client data)."""
        return {
            "expired_idempotency_records": self.idempotency_records,
            "expired_web_sessions": self.web_sessions,
            "delivered_webhook_deliveries": self.webhook_delivered,
            "dead_webhook_deliveries": self.webhook_dead,
            "audit_entries": self.audit_entries,
        }

    def total(self) -> Removal:
        out = Removal()
        for _, removal in self.organizations.values():
            out.add(removal)
        return out

    def as_dict(self) -> dict[str, object]:
        return {
            "now": self.now.isoformat(),
            "dry_run": self.dry_run,
            "organizations": {
                org: {"retention_days": days, **r.counts()} for org, (days, r) in self.organizations.items()
            },
            **self.housekeeping(),
        }


def _remove(s: Session, table: Any, where: ColumnElement[bool], dry_run: bool) -> int:
    if dry_run:
        return int(s.scalar(select(func.count()).select_from(table).where(where)) or 0)
    return int(s.execute(delete(table).where(where)).rowcount)


def _audit_periods(periods: dict[str, int | None], default_days: int, audit_days: int) -> dict[str, int]:
    """Per organisation, how long its audit entries are kept: never less than its cases
    (0: kept while its cases are kept until erased); organisations not listed: ``audit_days``."""
    out = {}
    for org, own in periods.items():
        days = default_days if own is None else own
        out[org] = 0 if days == 0 else max(audit_days, days)
    return out


def _housekeeping(
    s: Session,
    report: RetentionReport,
    now: dt.datetime,
    periods: Periods,
    org_periods: dict[str, int | None],
    default_days: int,
) -> None:
    dry = report.dry_run
    report.idempotency_records = _remove(
        s, IdempotencyRecord, IdempotencyRecord.created_at < now - dt.timedelta(hours=periods.idempotency_hours), dry
    )
    report.web_sessions = _remove(s, WebSession, WebSession.expires_at < now, dry)
    if periods.webhook_delivered_days:
        before = now - dt.timedelta(days=periods.webhook_delivered_days)
        report.webhook_delivered = _remove(
            s,
            WebhookDelivery,
            (WebhookDelivery.status == "delivered")
            & (func.coalesce(WebhookDelivery.delivered_at, WebhookDelivery.created_at) < before),
            dry,
        )
    if periods.webhook_dead_days:
        before = now - dt.timedelta(days=periods.webhook_dead_days)
        report.webhook_dead = _remove(
            s,
            WebhookDelivery,
            (WebhookDelivery.status == "dead")
            & (func.coalesce(WebhookDelivery.last_attempt_at, WebhookDelivery.created_at) < before),
            dry,
        )
    if periods.audit_days:
        audit_periods = _audit_periods(org_periods, default_days, periods.audit_days)
        longer = sorted(org for org, days in audit_periods.items() if days != periods.audit_days)
        before = now - dt.timedelta(days=periods.audit_days)
        n = _remove(s, AuditEntry, (AuditEntry.at < before) & AuditEntry.organization_id.not_in(longer), dry)
        for org in longer:
            if audit_periods[org]:
                before = now - dt.timedelta(days=audit_periods[org])
                n += _remove(s, AuditEntry, (AuditEntry.at < before) & (AuditEntry.organization_id == org), dry)
        report.audit_entries = n
    if not dry and any(report.housekeeping().values()):  # after the audit purge: this entry stays
        audit(
            s,
            Principal("retention", SERVICE, "system"),
            "purge",
            "housekeeping",
            None,
            None,
            audit_days=periods.audit_days,
            **report.housekeeping(),
        )


def run_retention(
    db: Database,
    *,
    now: dt.datetime,
    default_days: int,
    idempotency_hours: float | None = None,
    periods: Periods | None = None,
    dry_run: bool = False,
) -> RetentionReport:
    """Remove (``dry_run``: count) every organisation's cases older than its period,
    and the service's own records past theirs (``periods``).

    An organisation's ``retention_days`` (None: ``default_days``; 0: kept until
    erased) counts back from ``now``. Each organisation is purged in a write
    transaction of its own. First, in one transaction: stored idempotent responses
    older than ``idempotency_hours`` (a retry comes within minutes, not days), expired
    sign-in sessions, delivered webhook deliveries older than
    ``webhook_delivered_days`` (dead ones only with ``webhook_dead_days`` set), and
    audit entries older than ``audit_days`` (an organisation whose cases are kept
    longer keeps its entries as long); one audit entry (``purge``, ``housekeeping``)
    records the counts.
    """
    periods = periods or Periods()
    if idempotency_hours is not None:
        periods = dataclasses.replace(periods, idempotency_hours=idempotency_hours)
    report = RetentionReport(now=now, dry_run=dry_run)
    with db.session() as s:
        org_periods = {org: days for org, days in s.execute(select(OrganizationRow.id, OrganizationRow.retention_days))}
    if dry_run:
        with db.session() as s:
            _housekeeping(s, report, now, periods, org_periods, default_days)
    else:
        with db.writing() as s:
            _housekeeping(s, report, now, periods, org_periods, default_days)
    for org in sorted(org_periods):
        days = default_days if org_periods[org] is None else org_periods[org]
        if not days:
            continue
        before = now - dt.timedelta(days=days)
        if dry_run:
            with db.session() as s:
                removal = remove_cases(s, org, before, finished=FINAL, dry_run=True)
        else:
            with db.writing() as s:
                removal = remove_cases(s, org, before, finished=FINAL)
                if removal.total:  # what went, without saying whose it was
                    audit(
                        s,
                        Principal("retention", org, "system"),
                        "purge",
                        "retention",
                        None,
                        None,
                        retention_days=days,
                        **removal.counts(),
                    )
        report.organizations[org] = (days, removal)
    return report


class RetentionSchedule:
    """Runs the purge at most once per ``interval_seconds`` across every worker."""

    def __init__(
        self,
        db: Database,
        *,
        interval_seconds: float,
        default_days: int,
        periods: Periods | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.db, self.interval = db, dt.timedelta(seconds=interval_seconds)
        self.default_days, self.periods, self.clock = default_days, periods or Periods(), clock

    def claim(self, now: dt.datetime) -> bool:
        """Record this run in ``maintenance_runs`` unless one ran within the interval."""
        try:
            with self.db.writing() as s:
                row = s.get(MaintenanceRun, TASK, with_for_update=True)
                if row is not None and _utc(row.last_run_at) > now - self.interval:
                    return False
                if row is None:
                    s.add(MaintenanceRun(task=TASK, last_run_at=now))
                else:
                    row.last_run_at = now
        except IntegrityError:
            return False  # another worker inserted the first claim at the same moment
        return True

    def run_if_due(self) -> RetentionReport | None:
        now = self.clock()
        if not self.claim(now):
            return None
        report = run_retention(self.db, now=now, default_days=self.default_days, periods=self.periods)
        total = report.total()
        if total.total or any(report.housekeeping().values()):
            log.info("retention purge removed %s", {**total.counts(), **report.housekeeping()})
        return report


async def retention_loop(
    schedule: RetentionSchedule, interval_seconds: float, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
) -> None:
    """The server's background task: wait, run the purge if due (in a thread), repeat.
    A failed run is logged and tried again next time; cancelling stops the loop."""
    import anyio.to_thread

    while True:
        await sleep(interval_seconds)
        try:
            await anyio.to_thread.run_sync(schedule.run_if_due)
        except Exception:  # noqa: BLE001 - a purge that failed is tried again at the next interval
            log.exception("retention purge failed")
