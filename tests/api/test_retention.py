"""Retention: real rows made over HTTP, a clock passed in, no waiting."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt

import pytest
from api_support import ASSESSMENT, PARTNER_X
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from freechoice.api import Settings, create_app
from freechoice.api.retention import RetentionSchedule, retention_loop, run_retention
from freechoice.catalog.db.tables import AuditEntry, IdempotencyRecord, MaintenanceRun, OptionListRow

NOW = dt.datetime.now(dt.UTC)


def _list(world, client_ref: str, who: str = "cw_a", *, refer: str | None = None) -> dict[str, str]:
    """An option list; with ``refer``, a chosen referral moved to that status."""
    body = copy.deepcopy(ASSESSMENT)
    body["client_ref"] = client_ref
    h = world.as_(who)
    ol = world.client.post("/option-lists", json=body, headers={**h, "Idempotency-Key": f"k-{client_ref}"}).json()
    out = {"list": ol["id"], "assessment": ol["assessment_id"]}
    if refer:
        comp = next(n for n in ol["needs"] if n["need"] == "compensation")
        option = next(o for o in comp["options"] if o["provider_id"] == PARTNER_X)
        choice = world.client.post(
            f"/option-lists/{ol['id']}/choices", json={"option_ids": [option["option_id"]]}, headers=h
        )
        out["referral"] = ref = choice.json()["referrals"][0]["id"]
        for to in {"sent": ["sent"], "closed": ["sent", "closed"]}[refer]:
            reason = "client asked to stop" if to == "closed" else None
            assert (
                world.client.post(
                    f"/referrals/{ref}/transitions", json={"to": to, "reason": reason}, headers=h
                ).status_code
                == 200
            )
    return out


def _exists(world, case: dict[str, str], who: str = "cw_a") -> bool:
    return world.client.get(f"/option-lists/{case['list']}", headers=world.as_(who)).status_code == 200


def test_old_finished_cases_go_open_ones_and_kept_organisations_stay(world):
    db = world.client.app.state.freechoice.db
    finished = _list(world, "c-ret-closed", refer="closed")
    plain = _list(world, "c-ret-plain")
    open_case = _list(world, "c-ret-open", refer="sent")
    other_org = _list(world, "c-ret-b", who="cw_b")
    admin = world.as_("admin")
    kept = world.client.put("/organizations/org-cw-b/retention", json={"days": 0}, headers=admin)
    assert kept.status_code == 200 and kept.json()["effective_days"] == 0
    bad = world.client.put("/organizations/org-cw-b/retention", json={"days": -3}, headers=admin)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "days"
    assert (
        world.client.put("/organizations/org-cw-b/retention", json={"days": 5}, headers=world.as_("cw_b")).status_code
        == 403
    )
    shown = world.client.get("/organizations/org-cw-a/retention", headers=world.as_("cw_a")).json()
    assert shown == {
        "organization_id": "org-cw-a",
        "retention_days": None,
        "service_default_days": 365,
        "effective_days": 365,
    }

    young = run_retention(db, now=NOW + dt.timedelta(days=29), default_days=30)
    assert young.total().total == 0 and _exists(world, finished) and _exists(world, plain)
    assert young.idempotency_records == 4  # stored responses for retries: kept a day, not a month

    dry = run_retention(db, now=NOW + dt.timedelta(days=31), default_days=30, dry_run=True)
    days, would = dry.organizations["org-cw-a"]
    assert days == 30 and (would.option_lists, would.assessments, would.referrals) == (2, 2, 1)
    assert "org-cw-b" not in dry.organizations
    assert _exists(world, finished) and _exists(world, plain), "a dry run removes nothing"

    done = run_retention(db, now=NOW + dt.timedelta(days=31), default_days=30)
    removed = done.organizations["org-cw-a"][1]
    fields = ("option_lists", "assessments", "choices", "referrals", "referral_events", "feedback_unlinked")
    assert [getattr(removed, f) for f in fields] == [getattr(would, f) for f in fields], "the dry run counted right"
    assert not _exists(world, finished) and not _exists(world, plain)
    assert world.client.get(f"/referrals/{finished['referral']}", headers=world.as_("cw_a")).status_code == 404
    assert _exists(world, open_case), "a client whose referral is still open keeps their case"
    assert world.client.get(f"/referrals/{open_case['referral']}", headers=world.as_("cw_a")).status_code == 200
    assert _exists(world, other_org, "cw_b"), "retention 0 keeps an organisation's cases"
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0
        purges = list(
            s.scalars(select(AuditEntry).where(AuditEntry.action == "purge", AuditEntry.resource == "retention"))
        )
    assert [(e.organization_id, e.client_ref, e.detail["option_lists"]) for e in purges] == [("org-cw-a", None, 2)]


def test_an_organisation_sets_its_own_period(world):
    db = world.client.app.state.freechoice.db
    case = _list(world, "c-ret-short")
    r = world.client.put("/organizations/org-cw-a/retention", json={"days": 10}, headers=world.as_("admin"))
    assert r.json()["effective_days"] == 10
    assert run_retention(db, now=NOW + dt.timedelta(days=9), default_days=365).total().total == 0
    assert _exists(world, case)
    report = run_retention(db, now=NOW + dt.timedelta(days=11), default_days=365)
    assert report.organizations["org-cw-a"][0] == 10 and report.organizations["org-cw-a"][1].option_lists >= 1
    assert not _exists(world, case)
    world.client.put("/organizations/org-cw-a/retention", json={"days": None}, headers=world.as_("admin"))


def test_the_schedule_runs_once_per_interval_across_workers(world):
    db = world.client.app.state.freechoice.db
    clock = [NOW + dt.timedelta(days=400)]
    workers = [RetentionSchedule(db, interval_seconds=3600, default_days=365, clock=lambda: clock[0]) for _ in range(2)]
    case = _list(world, "c-ret-sched")
    assert workers[0].run_if_due() is not None
    assert not _exists(world, case)
    assert workers[1].run_if_due() is None, "the other worker finds this interval's run claimed"
    clock[0] += dt.timedelta(minutes=59)
    assert workers[0].run_if_due() is None and workers[1].run_if_due() is None
    clock[0] += dt.timedelta(minutes=2)
    assert workers[1].run_if_due() is not None
    with db.session() as s:
        last = s.get(MaintenanceRun, "retention").last_run_at
    assert last.replace(tzinfo=dt.UTC) == clock[0]


def test_the_background_loop_runs_the_purge_each_interval(world):
    db = world.client.app.state.freechoice.db
    clock = [NOW + dt.timedelta(days=800)]
    schedule = RetentionSchedule(db, interval_seconds=60, default_days=365, clock=lambda: clock[0])
    waits: list[float] = []
    runs: list[dt.datetime] = []

    async def sleep(seconds: float) -> None:  # the clock moves on instead of waiting
        waits.append(seconds)
        if len(waits) == 3:
            raise asyncio.CancelledError
        clock[0] += dt.timedelta(seconds=seconds)
        runs.append(clock[0])

    case = _list(world, "c-ret-loop")
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(retention_loop(schedule, 60, sleep=sleep))
    assert waits == [60, 60, 60]
    assert not _exists(world, case)
    with db.session() as s:
        assert s.get(MaintenanceRun, "retention").last_run_at.replace(tzinfo=dt.UTC) == runs[-1]


@pytest.mark.parametrize("interval", [0, 3600])
def test_the_server_starts_the_purge_task_unless_disabled(database_url, interval):
    app = create_app(Settings(database_url=database_url, retention_interval_seconds=interval))
    with TestClient(app):
        task = app.state.retention_task
        assert (task is None) == (interval == 0)
        if task is not None:
            assert not task.done()
    if task is not None:
        assert task.cancelled()
    with app.state.freechoice.db.session() as s:
        assert s.scalar(select(func.count()).select_from(OptionListRow)) >= 0
