"""Retention: each organisation's option lists and assessments are removed after the
number of days it set (or the service default), by ``freechoice retention run`` and
by a background task in the server.

The clock is passed in (``now``), so the policy is tested with real rows and no
waiting. Of several workers, one runs the purge per interval: the run is claimed in
the ``maintenance_runs`` table first.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from freechoice.catalog.db import Database
from freechoice.catalog.db.erasure import Removal, remove_cases
from freechoice.catalog.db.tables import IdempotencyRecord, MaintenanceRun, OrganizationRow
from freechoice.engine.referrals import FINAL

from .auth import Principal
from .records import audit

__all__ = ["RetentionReport", "RetentionSchedule", "retention_loop", "run_retention", "utcnow"]

log = logging.getLogger("freechoice.retention")
TASK = "retention"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)  # SQLite gives naive UTC back


@dataclass
class RetentionReport:
    """What a run removed (or, dry, would remove): per organisation, with its period."""

    now: dt.datetime
    dry_run: bool
    organizations: dict[str, tuple[int, Removal]] = field(default_factory=dict)
    idempotency_records: int = 0

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
            "expired_idempotency_records": self.idempotency_records,
        }


def run_retention(
    db: Database, *, now: dt.datetime, default_days: int, idempotency_hours: float = 24.0, dry_run: bool = False
) -> RetentionReport:
    """Remove (``dry_run``: count) every organisation's cases older than its period.

    An organisation's ``retention_days`` (None: ``default_days``; 0: kept until
    erased) counts back from ``now``. Each organisation is purged in a write
    transaction of its own. Stored idempotent responses older than
    ``idempotency_hours`` go as well (a retry comes within minutes, not days).
    """
    report = RetentionReport(now=now, dry_run=dry_run)
    with db.session() as s:
        periods = {org: days for org, days in s.execute(select(OrganizationRow.id, OrganizationRow.retention_days))}
    if not dry_run:
        with db.writing() as s:
            report.idempotency_records = s.execute(
                delete(IdempotencyRecord).where(
                    IdempotencyRecord.created_at < now - dt.timedelta(hours=idempotency_hours)
                )
            ).rowcount
    for org in sorted(periods):
        days = default_days if periods[org] is None else periods[org]
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
        idempotency_hours: float = 24.0,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.db, self.interval = db, dt.timedelta(seconds=interval_seconds)
        self.default_days, self.idempotency_hours, self.clock = default_days, idempotency_hours, clock

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
        report = run_retention(
            self.db, now=now, default_days=self.default_days, idempotency_hours=self.idempotency_hours
        )
        total = report.total()
        if total.total or report.idempotency_records:
            log.info(
                "retention purge removed %s", {**total.counts(), "idempotency_records": report.idempotency_records}
            )
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
