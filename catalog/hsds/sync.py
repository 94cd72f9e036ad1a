"""Incremental sync with another directory: import only the services changed since the
directory's ``last_modified`` (the latest one freechoice holds from it), and deactivate
the services the directory no longer lists, each one reported.

A service belongs to a directory when it was imported under that directory's name
(``hsds_source.directory``). Nothing here touches the database: :func:`plan_sync`
takes what is stored and what arrived and says what to write; the caller writes it in
one transaction with the import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..models import Service
from .importer import HsdsImport

__all__ = ["SyncPlan", "directory_services", "plan_sync", "watermark"]


@dataclass
class SyncPlan:
    """What a sync writes (``services``: changed, new and deactivated ones) and reports."""

    directory: str
    watermark: str | None
    services: list[Service]
    skipped: int = 0
    deactivated: list[dict[str, str]] = field(default_factory=list)

    def report(self) -> dict[str, Any]:
        return {
            "directory": self.directory,
            "since": self.watermark,
            "skipped_unchanged": self.skipped,
            "deactivated": self.deactivated,
        }


def _moment(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _last_modified(svc: Service) -> dt.datetime | None:
    record = (svc.hsds_source or {}).get("record") or {}
    return _moment(record.get("last_modified"))


def directory_services(services: Iterable[Service], directory: str) -> dict[str, Service]:
    """The stored services imported from ``directory``, by id."""
    return {s.id: s for s in services if (s.hsds_source or {}).get("directory") == directory}


def watermark(stored: dict[str, Service]) -> dt.datetime | None:
    """The directory's ``last_modified``: the latest of its services freechoice holds."""
    moments = [m for m in (_last_modified(s) for s in stored.values()) if m is not None]
    return max(moments) if moments else None


def plan_sync(
    parsed: HsdsImport, stored_services: Iterable[Service], directory: str, *, deactivate_missing: bool = True
) -> SyncPlan:
    """What to write for ``parsed`` (a whole listing of ``directory``) given the stored catalog.

    A service already held whose ``last_modified`` is not later than the one held
    (and so not later than the directory's) is skipped and counted, which keeps any
    change made in freechoice since; one without ``last_modified``, or new, is
    imported. With
    ``deactivate_missing`` (the listing is complete), every active service of the
    directory the listing no longer has is set inactive and listed in ``deactivated``.
    """
    stored = directory_services(stored_services, directory)
    mark = watermark(stored)
    plan = SyncPlan(directory, mark.isoformat() if mark else None, [])
    for svc in parsed.services:
        tagged = (
            svc.model_copy(update={"hsds_source": {**(svc.hsds_source or {}), "directory": directory}})
            if svc.hsds_source is not None
            else svc
        )
        moment = _last_modified(svc)
        held = _last_modified(stored[svc.id]) if svc.id in stored else None
        if held is not None and moment is not None and moment <= held:
            plan.skipped += 1
            continue
        plan.services.append(tagged)
    if deactivate_missing:
        listed = {s.id for s in parsed.services}
        for sid, svc in sorted(stored.items()):
            if sid not in listed and svc.status == "active":
                plan.services.append(svc.model_copy(update={"status": "inactive"}))
                plan.deactivated.append(
                    {"id": sid, "name": svc.name, "why": f"no longer listed by directory '{directory}'; set inactive"}
                )
    return plan
