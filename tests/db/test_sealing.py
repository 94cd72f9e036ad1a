"""Data keys: sealing rows that were stored plain, rotation to a new key, old keys
dropped, a missing or wrong key named clearly, and migration 0004 both ways."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from freechoice.catalog import DataKeyError, Organization
from freechoice.catalog.db import Database, save_organization
from freechoice.catalog.db.sealing import Sealer, generate_key, is_sealed, reseal
from freechoice.catalog.db.tables import AssessmentRow, FeedbackRow, IdempotencyRecord

OLD, NEW = generate_key(), generate_key()
ASSESSMENT = {"client_ref": "c-key-1", "needs": {"housing": 4}, "situation": {"fears": ["employer"]}}


def _write(db: Database, n: int) -> None:
    with db.writing() as s:
        if n == 0:
            save_organization(s, Organization(id="org-keys", name="Keys (fictional)"), "test")
        s.add(
            AssessmentRow(
                id=f"as-{n}", organization_id="org-keys", client_ref="c-key-1", data=ASSESSMENT, created_by="t"
            )
        )
        s.add(FeedbackRow(id=f"fb-{n}", need_met="yes", satisfaction=5, text=f"kind people {n}", kinds=[]))
        s.add(IdempotencyRecord(key_id="k", key=f"i-{n}", method="POST", path="/x", status_code=201, body={"n": n}))


def _read(db: Database) -> list[object]:
    with db.session() as s:
        return [
            (a.data, f.text, i.body)
            for a, f, i in zip(
                s.scalars(select(AssessmentRow).order_by(AssessmentRow.id)),
                s.scalars(select(FeedbackRow).order_by(FeedbackRow.id)),
                s.scalars(select(IdempotencyRecord).order_by(IdempotencyRecord.key)),
            )
        ]


def _raw(db: Database) -> list[object]:
    with db.engine.connect() as conn:
        return [
            *conn.execute(text("SELECT data FROM assessments ORDER BY id")).scalars(),
            *conn.execute(text("SELECT text FROM feedback ORDER BY id")).scalars(),
            *conn.execute(text("SELECT body FROM idempotency ORDER BY key")).scalars(),
        ]


def _sealed(value: object) -> bool:
    import json

    return is_sealed(json.loads(value) if isinstance(value, str) and value.startswith("{") else value)


def test_plain_rows_are_sealed_and_keys_rotate(database_url: str):
    plain = Database(database_url)
    plain.upgrade()
    try:
        _write(plain, 0)  # stored before any key was configured
        expected = [(ASSESSMENT, "kind people 0", {"n": 0})]
        assert _read(plain) == expected and not any(_sealed(v) for v in _raw(plain))

        old = Database(database_url, data_key=OLD)
        _write(old, 1)  # new rows are sealed at once; old plain ones still read
        expected.append((ASSESSMENT, "kind people 1", {"n": 1}))
        assert _read(old) == expected
        assert [_sealed(v) for v in _raw(old)] == [False, True] * 3
        with pytest.raises(DataKeyError, match="FREECHOICE_DATA_KEY"):
            _read(plain)  # a sealed row without a key: named, not garbage
        old.dispose()

        both = Database(database_url, data_key=f"{NEW},{OLD}")
        with both.engine.connect().execution_options(freechoice_write=True) as conn:
            summary = reseal(conn, both.sealer, commit=conn.commit, batch=1)
        assert summary.sealed == {
            "assessments": 1,
            "option_lists": 0,
            "choices": 0,
            "referrals": 0,
            "referral_events": 0,
            "feedback": 1,
            "idempotency": 1,
            "intake_drafts": 0,
            "webhook_subscriptions": 0,
            "webhook_deliveries": 0,
            "spending_plans": 0,
            "follow_ups": 0,
        }
        assert summary.rotated["assessments"] == 1 and summary.rotated["idempotency"] == 1
        assert all(_sealed(v) for v in _raw(both))
        both.dispose()

        new_only = Database(database_url, data_key=NEW)
        assert _read(new_only) == expected, "after rotation the old key can go"
        new_only.dispose()
        old_only = Database(database_url, data_key=OLD)
        with pytest.raises(DataKeyError, match="no longer lists"):
            _read(old_only)
        old_only.dispose()
    finally:
        plain.dispose()
        cleanup = Database(database_url, data_key=NEW)
        cleanup.downgrade("base")
        cleanup.dispose()


def _protection_revision(db: Database) -> tuple[str, str]:
    """The data-protection migration's revision and the one before it."""
    from alembic.script import ScriptDirectory

    from freechoice.catalog.db import alembic_config

    script = ScriptDirectory.from_config(alembic_config(db.engine))
    rev = next(r for r in script.walk_revisions() if r.path.endswith("_data_protection.py"))
    assert isinstance(rev.down_revision, str)
    return rev.revision, rev.down_revision


def test_migration_0004_seals_with_a_key_and_opens_on_the_way_down(database_url: str):
    plain = Database(database_url)
    plain.upgrade()
    keyed = Database(database_url, data_key=NEW)
    protection, before = _protection_revision(plain)
    try:
        _write(plain, 0)
        plain.downgrade(before)
        keyed.upgrade()
        assert all(_sealed(v) for v in _raw(keyed))
        assert _read(keyed) == [(ASSESSMENT, "kind people 0", {"n": 0})]
        at = plain.current()
        assert at is not None and at >= protection
        with pytest.raises(DataKeyError, match="set FREECHOICE_DATA_KEY"):
            plain.downgrade(before)  # it would leave values older code cannot read
        assert plain.current() == at  # refused whole: later revisions are not undone either
        keyed.downgrade(before)
        assert not any(_sealed(v) for v in _raw(keyed))
    finally:
        keyed.dispose()
        plain.downgrade("base")
        plain.dispose()


def test_a_bad_key_is_named():
    with pytest.raises(DataKeyError, match="key 2 of 2 is not a Fernet key"):
        Sealer(f"{NEW}, not-a-key")
    assert Sealer.from_setting("  ") is None
    assert Sealer(f"{NEW},{OLD}").key_count == 2
