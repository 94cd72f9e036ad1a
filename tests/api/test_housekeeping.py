"""The retention run's housekeeping: expired sign-in sessions, delivered (and, if set,
dead) webhook deliveries, and audit entries past their period go; real rows, a clock
passed in, no waiting."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from freechoice.api import Settings
from freechoice.api.retention import Periods, run_retention
from freechoice.api.web.accounts import create_person, person_for_session, sign_in
from freechoice.catalog.db.tables import AuditEntry, WebhookDelivery, WebhookSubscription, WebSession

NOW = dt.datetime.now(dt.UTC)
DAY = dt.timedelta(days=1)


def _count(db, table, *where) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(table).where(*where)) or 0)


def _sign_in(db, username: str, at: dt.datetime) -> str:
    with db.writing() as s:
        outcome = sign_in(
            s,
            username,
            "correct horse battery",
            max_failures=5,
            lockout=dt.timedelta(minutes=15),
            session_length=dt.timedelta(hours=12),
            now=at,
        )
    assert outcome.token is not None
    return outcome.token


def test_expired_sessions_go_in_the_retention_run_live_ones_stay(world):
    db = world.client.app.state.freechoice.db
    with db.writing() as s:
        for username in ("hk-gone", "hk-here"):
            create_person(
                s,
                username=username,
                password="correct horse battery",
                organization_id="org-cw-a",
                role="caseworker",
                created_by="test",
            )
    # hk-gone never signs in again (their own next sign-in used to be the only clean-up)
    old = _sign_in(db, "hk-gone", NOW - 2 * DAY)  # expired a day and a half ago
    live = _sign_in(db, "hk-here", NOW)
    assert _count(db, WebSession) == 2
    dry = run_retention(db, now=NOW, default_days=365, dry_run=True)
    assert dry.web_sessions == 1 and _count(db, WebSession) == 2, "a dry run counts, removes nothing"
    report = run_retention(db, now=NOW, default_days=365)
    assert report.web_sessions == 1 and report.as_dict()["expired_web_sessions"] == 1
    with db.session() as s:
        assert person_for_session(s, live) is not None, "the live session still works"
        assert person_for_session(s, old) is None
    assert _count(db, WebSession) == 1


def _delivery(sub_id: str, n: int, status: str, at: dt.datetime) -> WebhookDelivery:
    return WebhookDelivery(
        id=f"dlv_hk_{status}_{n}",
        subscription_id=sub_id,
        event_id=None,
        event_type="webhook.test",
        payload=None,
        status=status,
        attempts=1 if status == "delivered" else 10,
        next_attempt_at=at,
        last_attempt_at=at,
        created_at=at,
        delivered_at=at if status == "delivered" else None,
    )


def test_old_delivered_deliveries_go_dead_ones_stay_until_a_period_is_set(world):
    db = world.client.app.state.freechoice.db
    hook = world.client.post("/webhooks", json={"url": "https://cases.example.org/hk"}, headers=world.as_("cw_a"))
    assert hook.status_code == 201, hook.text
    sub = hook.json()["id"]
    with db.writing() as s:
        for n, (status, age) in enumerate(
            [("delivered", 40), ("delivered", 10), ("dead", 400), ("dead", 5), ("pending", 400)]
        ):
            s.add(_delivery(sub, n, status, NOW - age * DAY))
    left = lambda status: _count(db, WebhookDelivery, WebhookDelivery.status == status)  # noqa: E731
    report = run_retention(db, now=NOW, default_days=365)  # the defaults: 30 days, dead kept
    assert (report.webhook_delivered, report.webhook_dead) == (1, 0)
    assert (left("delivered"), left("dead"), left("pending")) == (1, 2, 1)
    counts = world.client.get(f"/webhooks/{sub}", headers=world.as_("cw_a")).json()["deliveries"]
    assert counts == {"pending": 1, "delivered": 1, "dead": 2}
    kept_a_year = Periods(webhook_dead_days=365)
    report = run_retention(db, now=NOW, default_days=365, periods=kept_a_year)
    assert (report.webhook_delivered, report.webhook_dead) == (0, 1)
    assert (left("delivered"), left("dead"), left("pending")) == (1, 1, 1), "a pending delivery is never purged"
    with db.writing() as s:
        s.delete(s.get(WebhookSubscription, sub))


def _entry(org: str, age_days: int, n: int) -> AuditEntry:
    return AuditEntry(
        at=NOW - age_days * DAY,
        key_id="hk-test",
        organization_id=org,
        role="caseworker",
        action="read",
        resource="option_list",
        resource_id=f"hk-{org}-{age_days}-{n}",
        detail={},
    )


def test_audit_entries_go_after_their_period_but_never_before_the_cases_they_speak_of(world):
    db = world.client.app.state.freechoice.db
    admin = world.as_("admin")
    assert world.client.put("/organizations/org-cw-b/retention", json={"days": 1000}, headers=admin).status_code == 200
    with db.writing() as s:
        for org in ("org-cw-a", "org-cw-b"):
            for n, age in enumerate((800, 900, 1100, 10)):
                s.add(_entry(org, age, n))
    mine = lambda org: _count(db, AuditEntry, AuditEntry.key_id == "hk-test", AuditEntry.organization_id == org)  # noqa: E731
    dry = run_retention(db, now=NOW, default_days=365, periods=Periods(audit_days=730), dry_run=True)
    assert dry.audit_entries == 4 and mine("org-cw-a") == 4
    report = run_retention(db, now=NOW, default_days=365, periods=Periods(audit_days=730))
    # org-cw-a: the 730-day audit period; org-cw-b keeps its cases 1000 days, and its entries as long
    assert report.audit_entries == 4 and (mine("org-cw-a"), mine("org-cw-b")) == (1, 3)
    with db.session() as s:
        summary = s.scalars(
            select(AuditEntry).where(AuditEntry.resource == "housekeeping").order_by(AuditEntry.id.desc())
        ).first()
    assert summary is not None and summary.action == "purge" and summary.organization_id == "service"
    assert summary.detail["audit_entries"] == 4 and summary.detail["audit_days"] == 730
    # an organisation that keeps its cases until erased keeps its audit entries too
    assert world.client.put("/organizations/org-cw-b/retention", json={"days": 0}, headers=admin).status_code == 200
    assert run_retention(db, now=NOW + 5000 * DAY, default_days=365, periods=Periods(audit_days=730)).audit_entries
    assert mine("org-cw-b") == 3 and mine("org-cw-a") == 0
    world.client.put("/organizations/org-cw-b/retention", json={"days": None}, headers=admin)


def test_audit_retention_is_never_shorter_than_the_other_periods():
    assert Settings(audit_retention_days=0, retention_days=5000).audit_retention_days == 0  # 0: for ever
    for given in (
        {"audit_retention_days": 100},  # the default case retention is 365 days
        {"audit_retention_days": 400, "webhook_dead_days": 500},
    ):
        with pytest.raises(ValidationError) as err:
            Settings(**given)
        assert "audit_retention_days" in str(err.value)
    assert Periods.of(Settings()) == Periods(
        idempotency_hours=24, webhook_delivered_days=30, webhook_dead_days=0, audit_days=730
    )
    # unset, it follows a longer case retention instead of refusing to start after an upgrade
    assert Settings(retention_days=1000).audit_retention_days == 1000
    assert Settings(webhook_dead_days=900.5).audit_retention_days == 901
