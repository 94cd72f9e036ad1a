"""Database connections and migrations: SQLite (WAL, foreign keys) or PostgreSQL."""

from __future__ import annotations

from importlib import resources
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

from .sqlite_writer import WalCheckpointer, WriterConnection

__all__ = ["Database", "RawJSON", "alembic_config"]


class RawJSON(str):
    """JSON text that is already serialised: stored in a JSON column as it is."""


def alembic_config(engine: Engine) -> Config:
    """An Alembic config whose scripts are the ones shipped inside the package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("freechoice.catalog.db").joinpath("migrations")))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


class Database:
    """One database: an engine, a session factory and migrations.

    Parameters
    ----------
    url : SQLAlchemy URL, e.g. ``sqlite:///freechoice.db`` or
        ``postgresql+psycopg://user@host/db``.
    checkpoint_seconds : SQLite only: copy the write-ahead log into the database from a
        background thread this often, instead of inside whichever request's commit
        crosses SQLite's 1,000-page mark (for long-running servers).
    """

    def __init__(self, url: str, *, checkpoint_seconds: float | None = None, **engine_options: Any) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        options: dict[str, Any] = dict(engine_options)
        options.setdefault("json_serializer", _dumps)
        options.setdefault("json_deserializer", orjson.loads)
        if self.is_sqlite:
            # writers queue on a lock file rather than in SQLite's sleeping busy handler
            options.setdefault("connect_args", {"check_same_thread": False, "timeout": 30, "factory": WriterConnection})
        else:
            options.setdefault("pool_size", 10)
            options.setdefault("max_overflow", 20)
            options.setdefault("pool_pre_ping", True)
        self.engine = create_engine(url, **options)
        self.checkpointer: WalCheckpointer | None = None
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            database = self.engine.url.database or ""
            if checkpoint_seconds and database not in ("", ":memory:"):
                event.listen(self.engine, "connect", _no_autocheckpoint)
                self.checkpointer = WalCheckpointer(database, checkpoint_seconds)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self.sessions()

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to ``revision`` (creates it on an empty database)."""
        with self.engine.begin() as conn:
            cfg = alembic_config(self.engine)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)

    def downgrade(self, revision: str = "base") -> None:
        with self.engine.begin() as conn:
            cfg = alembic_config(self.engine)
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, revision)

    def current(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def tables(self) -> list[str]:
        return sorted(inspect(self.engine).get_table_names())

    def dispose(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()
        self.engine.dispose()


def _dumps(obj: Any) -> str:
    if isinstance(obj, RawJSON):
        return str(obj)
    return orjson.dumps(obj).decode()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _no_autocheckpoint(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")
