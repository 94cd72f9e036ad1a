"""Migrations on a real database: up from empty, down to nothing, up again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from freechoice.catalog import load_sample_catalog
from freechoice.catalog.db import Database, alembic_config, head_revision, import_catalog, load_catalog

TABLES = {
    "access_state",
    "api_keys",
    "assessments",
    "audit_log",
    "catalog_state",
    "choices",
    "feedback",
    "feedback_tokens",
    "follow_ups",
    "idempotency",
    "maintenance_runs",
    "option_lists",
    "organizations",
    "referral_events",
    "referrals",
    "rule_packs",
    "service_versions",
    "services",
    "spending_plans",
    "transfer_payments",
    "transfers",
    "webhook_deliveries",
    "webhook_subscriptions",
}


def _compression(db: Database) -> set[str]:
    """The column compression methods set on the large JSON columns (PostgreSQL)."""
    if db.engine.dialect.name != "postgresql":
        return set()
    from sqlalchemy import text

    with db.engine.connect() as conn:
        rows = (
            conn.execute(
                text(
                    "SELECT a.attcompression FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                    "WHERE c.relname IN ('option_lists', 'assessments', 'idempotency') AND a.attname IN ('data', 'body') "
                    "AND c.relnamespace = to_regnamespace(current_schema())::oid"
                )
            )
            .scalars()
            .all()
        )
    return {{"l": "lz4", "p": "pglz"}[r] for r in rows if r}


HEAD = "0012"


def test_upgrade_downgrade_upgrade(database_url: str):
    db = Database(database_url)
    try:
        db.upgrade()
        assert TABLES <= set(db.tables())
        assert db.current() == HEAD
        assert _compression(db) == ({"lz4"} if db.engine.dialect.name == "postgresql" else set())
        db.downgrade("0001")  # 0002 and later undone
        assert db.current() == "0001" and _compression(db) == set()
        db.downgrade("base")
        assert not TABLES & set(db.tables())
        assert db.current() is None
        db.upgrade()
        assert TABLES <= set(db.tables())
    finally:
        db.downgrade("base")
        db.dispose()


def test_the_newest_revision_read_from_the_scripts_is_alembics_and_an_older_database_is_migrated(database_url: str):
    """A start on a migrated database reads the newest revision from the scripts' lines
    (without loading alembic): it must be the head alembic finds, and a database one
    revision behind is still migrated by ``upgrade()``."""
    from alembic.script import ScriptDirectory

    db = Database(database_url)
    try:
        assert [head_revision()] == ScriptDirectory.from_config(alembic_config(db.engine)).get_heads() == [HEAD]
        db.upgrade()
        db.downgrade("0011")
        assert db.current() == "0011"
        db.upgrade()
        assert db.current() == HEAD
        assert TABLES <= set(db.tables())
        db.upgrade()  # at the head already: left as it is
        assert db.current() == HEAD
    finally:
        db.downgrade("base")
        db.dispose()


def test_the_migrations_build_exactly_the_tables_the_models_declare(database_url: str):
    """Autogenerate finds nothing to add, drop or change after upgrading to head."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from freechoice.catalog.db.tables import Base

    db = Database(database_url)
    try:
        db.upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
    finally:
        db.downgrade("base")
        db.dispose()


def test_stored_lists_get_their_kpi_summary_when_migrating(database_url: str):
    from freechoice.catalog.db.tables import OptionListRow

    db = Database(database_url)
    try:
        db.upgrade("0002")
        with db.writing() as s:
            s.execute(
                text(
                    "INSERT INTO organizations (id, name, data, created_at, updated_at, updated_by) "
                    "VALUES ('o', 'O (fictional)', '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 't')"
                )
            )
            s.execute(
                text(
                    "INSERT INTO assessments (id, organization_id, client_ref, data, created_at, created_by) "
                    "VALUES ('a', 'o', 'c', '{}', CURRENT_TIMESTAMP, 't')"
                )
            )
            data = '{"needs": [{"priority": 4, "options": [{}]}, {"priority": 4, "options": []}, {"priority": 3, "options": []}]}'
            s.execute(
                text(
                    "INSERT INTO option_lists (id, organization_id, assessment_id, client_ref, rules_version, "
                    "catalog_version, data, created_at, created_by) "
                    "VALUES ('l', 'o', 'a', 'c', 'r', 'v', :d, CURRENT_TIMESTAMP, 't')"
                ),
                {"d": data},
            )
        db.upgrade()
        with db.session() as s:
            row = s.get(OptionListRow, "l")
            assert row is not None and (row.priority_4_needs, row.priority_4_with_option) == (2, 1)
    finally:
        db.downgrade("base")
        db.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A migrated database, emptied again afterwards."""
    database = Database(database_url)
    database.upgrade()
    try:
        yield database
    finally:
        database.downgrade("base")
        database.dispose()


def test_catalog_import_is_one_idempotent_transaction(db: Database):
    sample = load_sample_catalog()
    with db.session() as s, s.begin():
        first = import_catalog(s, sample.organizations.values(), list(sample), actor="test")
    assert (first.created, first.updated, first.unchanged) == (len(sample), 0, 0)
    with db.session() as s:
        after_first = load_catalog(s)[1]
    with db.session() as s, s.begin():
        again = import_catalog(s, sample.organizations.values(), list(sample), actor="test")
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(sample))
    with db.session() as s:
        loaded, rev = load_catalog(s)
    assert loaded.version == sample.version
    assert sorted(x.model_dump_json() for x in loaded) == sorted(x.model_dump_json() for x in sample)
    assert rev == after_first  # the second, identical import moved nothing


def test_a_failing_write_leaves_nothing_half_written(db: Database):
    from sqlalchemy import select
    from sqlalchemy.exc import IntegrityError

    from freechoice.catalog import Organization
    from freechoice.catalog.db import current_revision
    from freechoice.catalog.db.tables import OrganizationRow, ServiceRow

    sample = load_sample_catalog()
    good = next(iter(sample))
    new_org = Organization(id="org-new-fictional", name="New (fictional)")
    orphan = good.model_copy(update={"id": "svc-orphan", "organization_id": "org-does-not-exist"})
    with pytest.raises(IntegrityError):
        with db.session() as s, s.begin():
            import_catalog(s, [new_org, *sample.organizations.values()], [good, orphan], actor="test")
    with db.session() as s:
        assert s.get(OrganizationRow, "org-new-fictional") is None
        assert list(s.scalars(select(ServiceRow))) == []
        assert current_revision(s) == 0
