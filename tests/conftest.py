"""Shared fixtures: real databases (a SQLite file, and PostgreSQL when reachable)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

PG_URL = os.environ.get("FREECHOICE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_reachable() -> str | None:
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as err:  # noqa: BLE001 - any failure means "not reachable"
        return str(err).splitlines()[0]


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    problem = _pg_reachable()
    if problem is None:
        return True
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL must be reachable in CI at {PG_URL}: {problem}")
    return False


def _pg_schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"], scope="module")
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new schema on the PostgreSQL server."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "freechoice.db"
        yield f"sqlite:///{path}"
        return
    if not request.getfixturevalue("postgres_available"):
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    schema = "fc_test_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
