"""Backups of a SQLite database with SQLite's online backup API, and restores.

A backup is one consistent snapshot taken while the service keeps writing: the copy
runs in one step inside a read transaction, and in WAL mode readers do not block
writers (nor writers readers). The copy is checked (``PRAGMA integrity_check``) and
left as a single self-contained file (rollback journal, no ``-wal`` beside it).

PostgreSQL databases are backed up with ``pg_dump`` and restored with ``pg_restore``
(see the README, "Data protection").
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from ..errors import FreechoiceError

__all__ = ["BackupInfo", "backup_sqlite", "check_backup", "restore_sqlite", "sqlite_path"]

PG_ROUTE = (
    "this is a PostgreSQL database: back it up with pg_dump --format=custom --file=PATH DATABASE_URL "
    "and restore with pg_restore --clean --if-exists --dbname=DATABASE_URL PATH (README: Data protection)"
)


@dataclass(frozen=True)
class BackupInfo:
    """A checked backup file: where, its schema revision, its size in bytes."""

    path: Path
    revision: str | None
    size: int


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///`` URL (PostgreSQL URLs: the pg_dump route)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        raise FreechoiceError(PG_ROUTE)
    if not parsed.database or parsed.database == ":memory:":
        raise FreechoiceError("an in-memory SQLite database has no file to back up or restore")
    return Path(parsed.database)


def check_backup(path: Path) -> BackupInfo:
    """Open ``path`` read-only and check it is a whole freechoice database."""
    if not path.is_file():
        raise FreechoiceError(f"{path}: no such file")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            revision = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = row[0] if row else None
        finally:
            conn.close()
    except sqlite3.DatabaseError as err:
        raise FreechoiceError(f"{path}: not a SQLite database ({err})") from None
    if result != "ok":
        raise FreechoiceError(f"{path}: integrity check failed: {result}")
    if revision is None or "option_lists" not in tables:
        raise FreechoiceError(f"{path}: not a freechoice database (no schema revision or tables)")
    return BackupInfo(path, revision, path.stat().st_size)


def backup_sqlite(database: Path, target: Path) -> BackupInfo:
    """Copy the live database file ``database`` to ``target`` (which must not exist)."""
    if not database.is_file():
        raise FreechoiceError(f"{database}: no such database file")
    if target.exists():
        raise FreechoiceError(f"{target} exists: choose a new file for the backup")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(database, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # all pages in one step: one consistent snapshot
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            dst.close()
    finally:
        src.close()
    partial.replace(target)
    return check_backup(target)


def restore_sqlite(source: Path, database: Path) -> BackupInfo:
    """Replace the contents of ``database`` with the backup ``source`` (checked first).
    Stop the service before restoring: its open transactions would see the old data."""
    info = check_backup(source)
    database.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(database, timeout=30)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return info
