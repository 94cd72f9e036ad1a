"""SQLite writers queue on a lock file (not in SQLite's sleeping busy handler), and the
write-ahead log is checkpointed from a background thread for the server."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from freechoice.catalog.db import Database, write_transaction
from freechoice.catalog.db.sqlite_writer import WalCheckpointer, WriterConnection, lock_path


def _held(path: Path) -> bool:
    """Whether someone holds the writer lock (asked from a separate open file)."""
    fd = os.open(lock_path(str(path)), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


@pytest.fixture
def dbfile(tmp_path: Path) -> Path:
    path = tmp_path / "w.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    conn.commit()
    conn.close()
    return path


def _connect(path: Path) -> WriterConnection:
    return sqlite3.connect(path, factory=WriterConnection, check_same_thread=False)  # type: ignore[return-value]


@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
def test_a_write_transaction_holds_the_lock_from_its_begin_to_its_end(dbfile: Path, end: str):
    conn = _connect(dbfile)
    conn.begin_read()
    conn.execute("SELECT * FROM t").fetchall()
    assert not conn.holds_writer_lock and not _held(dbfile)  # reading takes no lock
    conn.rollback()
    conn.begin_write()
    assert conn.holds_writer_lock and _held(dbfile)  # before any statement ran
    conn.execute("INSERT INTO t (v) VALUES ('a')")
    assert conn.holds_writer_lock and _held(dbfile)
    getattr(conn, end)()
    assert not _held(dbfile)
    if end != "close":
        conn.close()


def test_a_failed_statement_keeps_the_lock_until_rollback(dbfile: Path):
    conn = _connect(dbfile)
    conn.begin_write()
    conn.execute("INSERT INTO t (id, v) VALUES (1, 'a')")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO t (id, v) VALUES (1, 'again')")
    assert _held(dbfile)
    conn.rollback()
    assert not _held(dbfile)
    assert conn.execute("SELECT count(*) FROM t").fetchone() == (0,)
    conn.close()


def test_in_memory_databases_take_no_lock():
    conn = sqlite3.connect(":memory:", factory=WriterConnection)
    conn.execute("CREATE TABLE t (v TEXT)")
    conn.begin_write()  # type: ignore[attr-defined]
    conn.execute("INSERT INTO t VALUES ('a')")
    assert not conn.holds_writer_lock  # type: ignore[attr-defined]
    conn.commit()
    conn.close()
    assert lock_path(":memory:") is None and lock_path("file:x?mode=memory&cache=shared") is None
    assert lock_path("file:/data/fc.db?mode=rwc") == "/data/fc.db-writer.lock"


def test_database_sessions_read_without_the_lock_and_write_with_it(tmp_path: Path):
    db = Database(f"sqlite:///{tmp_path / 's.db'}")
    try:
        with db.writing() as s:
            assert _held(tmp_path / "s.db")
            s.execute(text("CREATE TABLE n (v INTEGER)"))
            s.execute(text("INSERT INTO n VALUES (1)"))
        assert not _held(tmp_path / "s.db")
        with db.session() as s:
            assert s.execute(text("SELECT v FROM n")).scalar() == 1
            assert not _held(tmp_path / "s.db")
            with write_transaction(s):  # the read transaction ends, a write one begins
                assert _held(tmp_path / "s.db")
                s.execute(text("UPDATE n SET v = v + 1"))
            assert not _held(tmp_path / "s.db")
        with pytest.raises(ZeroDivisionError), db.writing() as s:
            s.execute(text("UPDATE n SET v = 100"))
            raise ZeroDivisionError
        assert not _held(tmp_path / "s.db")
        with db.session() as s:
            assert s.execute(text("SELECT v FROM n")).scalar() == 2  # the failed block was rolled back
    finally:
        db.dispose()


_INCREMENT = """
import sys
from sqlalchemy import text
from freechoice.catalog.db import Database, write_transaction
db = Database(sys.argv[1])
for _ in range(int(sys.argv[2])):
    with db.writing() as s:  # read, decide, write: one transaction
        v = s.execute(text("SELECT v FROM counter")).scalar()
        s.execute(text("UPDATE counter SET v = :v"), {"v": v + 1})
db.dispose()
"""


def test_read_modify_write_in_several_processes_loses_no_update(tmp_path: Path):
    """Each process reads the counter and writes it plus one; if a read could happen
    outside the write transaction, two processes would write the same value."""
    url = f"sqlite:///{tmp_path / 'c.db'}"
    db = Database(url)
    with db.writing() as s:
        s.execute(text("CREATE TABLE counter (v INTEGER)"))
        s.execute(text("INSERT INTO counter VALUES (0)"))
    procs = [
        subprocess.Popen([sys.executable, "-c", _INCREMENT, url, "150"], stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    with db.session() as s:
        assert s.execute(text("SELECT v FROM counter")).scalar() == 450
    db.dispose()


_CHILD = """
import sqlite3, sys
from freechoice.catalog.db.sqlite_writer import WriterConnection
conn = sqlite3.connect(sys.argv[1], factory=WriterConnection, timeout=0)  # no busy wait at all
print("ready", flush=True)
conn.begin_write()
conn.execute("INSERT INTO t (v) VALUES ('child')")
conn.commit()
print("written", flush=True)
"""


def test_a_writer_in_another_process_waits_its_turn_instead_of_failing(dbfile: Path):
    """With SQLite's busy timeout at 0 the child would fail with 'database is locked'
    if it reached SQLite's write lock; it queues on the lock file and writes after us."""
    conn = _connect(dbfile)
    conn.begin_write()
    conn.execute("INSERT INTO t (v) VALUES ('parent')")
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(dbfile)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
        with pytest.raises(subprocess.TimeoutExpired):
            child.wait(0.5)  # still queued behind our open transaction (a child that wrote would have ended)
        conn.commit()
        out, err = child.communicate(timeout=60)
    finally:
        child.kill()
    assert child.returncode == 0, err
    assert out == "written\n"
    assert [r[0] for r in conn.execute("SELECT v FROM t ORDER BY id")] == ["parent", "child"]
    conn.close()


def test_the_checkpointer_copies_the_log_into_the_database(tmp_path: Path):
    db = Database(f"sqlite:///{tmp_path / 'c.db'}", checkpoint_seconds=3600)
    try:
        with db.writing() as conn:
            assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
            conn.execute(text("CREATE TABLE big (v TEXT)"))
            for _ in range(300):
                conn.execute(text("INSERT INTO big VALUES (:v)"), {"v": "x" * 20_000})
        assert db.checkpointer is not None
        busy, frames, copied = db.checkpointer.checkpoint()
        assert busy == 0 and frames > 1000 and copied == frames  # far past SQLite's own 1,000-page mark
        thread = db.checkpointer._thread
    finally:
        db.dispose()
    assert not thread.is_alive()


def test_without_the_checkpointer_sqlite_checkpoints_on_its_own(tmp_path: Path):
    db = Database(f"sqlite:///{tmp_path / 'd.db'}")
    try:
        assert db.checkpointer is None
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 1000
    finally:
        db.dispose()
    assert isinstance(WalCheckpointer, type)
