"""Database connections and migrations: SQLite (WAL, foreign keys) or PostgreSQL.

Reads that decide a write happen inside the write transaction: code that writes opens
it with :meth:`Database.writing` (a new session) or :func:`write_transaction` (an
existing one). On SQLite such a transaction begins with ``BEGIN IMMEDIATE`` after
queueing for the writer lock (:mod:`.sqlite_writer`), so two writers never both decide
on the same stale read; on PostgreSQL the rows that decide are read ``FOR UPDATE``.
Every other transaction is a plain read transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from .rawjson import RawJSON, dumps
from .sealing import Sealer
from .sqlite_writer import WalCheckpointer, WriterConnection

if TYPE_CHECKING:  # alembic is imported when there is something to migrate (not to start on a migrated database)
    from alembic.config import Config

__all__ = ["Database", "RawJSON", "alembic_config", "head_revision", "write_transaction"]

_WRITE = {"freechoice_write": True}


_REVISION = re.compile(r"^(revision|down_revision)\s*=\s*(?:['\"](\w+)['\"]|(None))\s*$", re.MULTILINE)


def head_revision() -> str | None:
    """The newest migration's revision, read from the shipped scripts' ``revision`` and
    ``down_revision`` lines without loading them (alembic would): the one revision no
    script names as the one before it. None when that is not one plain revision (a
    merge, a line of another form): then alembic decides."""
    revisions: set[str] = set()
    before: set[str] = set()
    folder = resources.files("freechoice.catalog.db").joinpath("migrations").joinpath("versions")
    for entry in folder.iterdir():
        if not entry.name.endswith(".py"):
            continue
        found = {name: value or None for name, value, _none in _REVISION.findall(entry.read_text(encoding="utf-8"))}
        if "revision" not in found or "down_revision" not in found or found["revision"] is None:
            return None
        revisions.add(found["revision"])
        if found["down_revision"] is not None:
            before.add(found["down_revision"])
    heads = revisions - before
    return heads.pop() if len(heads) == 1 else None


def alembic_config(engine: Engine) -> Config:
    """An Alembic config whose scripts are the ones shipped inside the package."""
    from alembic.config import Config

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
    data_key : ``FREECHOICE_DATA_KEY``: Fernet keys separated by commas (the first
        encrypts, all decrypt), or a :class:`Sealer`. Client data is then encrypted at
        rest (:mod:`.sealing`); without a key it is stored as it is.
    """

    def __init__(
        self,
        url: str,
        *,
        checkpoint_seconds: float | None = None,
        data_key: str | Sealer | None = None,
        **engine_options: Any,
    ) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.sealer = data_key if isinstance(data_key, Sealer) else Sealer.from_setting(data_key)
        options: dict[str, Any] = dict(engine_options)
        options.setdefault("json_serializer", dumps)
        options.setdefault("json_deserializer", orjson.loads)
        if self.is_sqlite:
            # writers queue on a lock file rather than in SQLite's sleeping busy handler
            options.setdefault("connect_args", {"check_same_thread": False, "timeout": 30, "factory": WriterConnection})
        else:
            options.setdefault("pool_size", 10)
            options.setdefault("max_overflow", 20)
            options.setdefault("pool_pre_ping", True)
        self.engine = create_engine(url, **options)
        # the sealed column types find the key on the dialect: one per engine
        self.engine.dialect.freechoice_sealer = self.sealer  # type: ignore[attr-defined]
        self.checkpointer: WalCheckpointer | None = None
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
            database = self.engine.url.database or ""
            if checkpoint_seconds and database not in ("", ":memory:"):
                event.listen(self.engine, "connect", _no_autocheckpoint)
                self.checkpointer = WalCheckpointer(database, checkpoint_seconds)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        """A session for reading (and for :func:`write_transaction` blocks)."""
        return self.sessions()

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A new session in one write transaction, committed when the block ends
        (rolled back on an exception)."""
        with self.sessions() as session, write_transaction(session):
            yield session

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to ``revision`` (creates it on an empty database). Several
        hosts starting at once migrate one after the other (SQLite: the writer lock;
        PostgreSQL: an advisory lock held for the transaction). A database already at
        the newest revision is only read (one query, no lock, no migration scripts
        loaded)."""
        if revision == "head" and self._at_head():
            return
        from alembic import command

        with self.engine.execution_options(**_WRITE).begin() as conn:
            _migration_lock(conn)
            cfg = alembic_config(self.engine)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)

    def _at_head(self) -> bool:
        head = head_revision()
        if head is None:
            return False
        try:
            with self.engine.connect() as conn:
                stamped = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
        except DBAPIError:  # no version table yet: an empty database
            return False
        return stamped == {head}

    def downgrade(self, revision: str = "base") -> None:
        from alembic import command

        with self.engine.execution_options(**_WRITE).begin() as conn:
            _migration_lock(conn)
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


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """Run the block in one write transaction of ``session``: its reads see the latest
    committed data and nobody else writes until it commits (SQLite: the writer lock and
    ``BEGIN IMMEDIATE``; PostgreSQL: read the deciding rows with ``with_for_update``).

    A read transaction the session still has open is ended first (it holds no changes;
    pending changes there are a programming error and raise ``RuntimeError``).
    """
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("write_transaction: the session has unsaved changes from before the write began")
        session.rollback()
    with session.begin():
        session.connection(execution_options=_WRITE)  # begins now, so the lock is taken here
        yield session


_MIGRATION_LOCK = 0x66726565  # any fixed number: "free"


def _migration_lock(conn: Any) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})


def _sqlite_begin(conn: Any) -> None:
    dbapi = conn.connection.dbapi_connection
    if not isinstance(dbapi, WriterConnection):
        return  # a connection factory of the caller's own: the driver begins as it always does
    if conn.get_execution_options().get("freechoice_write"):
        dbapi.begin_write()
    else:
        dbapi.begin_read()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _no_autocheckpoint(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")
