"""One SQLite writer at a time, queued by the kernel instead of SQLite's busy sleeps.

SQLite lets one connection write at a time. A connection that finds the write lock
taken sleeps in its busy handler (1, 2, 5, 10, ... 100 ms) and tries again, so with a
few API threads and worker processes writing small transactions, requests spend most
of their wait asleep after the lock is already free: throughput drops and the slowest
requests take hundreds of milliseconds.

A write transaction says so when it begins (``Database.writing()`` /
``write_transaction()``, see :mod:`.engine`): :class:`WriterConnection` (a
``sqlite3.Connection`` factory) then takes an exclusive ``flock`` on a lock file next
to the database and starts the transaction with ``BEGIN IMMEDIATE``, so the reads
that decide the write see the latest committed data and nobody else can write until
it ends. The lock is released when the transaction ends (commit, rollback, close).
Waiting writers, in any thread or process on the machine, are woken the moment the
lock is released. Read transactions (plain ``BEGIN``) never take it: WAL lets them
read while one connection writes. In-memory databases are not locked.

:class:`WalCheckpointer` moves the other slow part of a write out of the way: copying
the write-ahead log back into the database (and syncing it to disk), which SQLite
otherwise does inside the commit that crosses 1,000 pages, holding up that request and
every writer queued behind it.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: SQLite's own busy handler only
    fcntl = None  # type: ignore[assignment]

__all__ = ["WalCheckpointer", "WriterConnection", "lock_path"]


def lock_path(database: str) -> str | None:
    """The lock file for a SQLite database path or ``file:`` URI (None for in-memory)."""
    name = database
    if name.startswith("file:"):
        name = name[5:].split("?", 1)[0]
    if name in ("", ":memory:") or "mode=memory" in database:
        return None
    return name + "-writer.lock"


class WriterConnection(sqlite3.Connection):
    """A sqlite3 connection whose write transactions queue for a machine-wide writer
    lock before ``BEGIN IMMEDIATE`` (see module doc). Transactions are begun
    explicitly: :meth:`begin_read` or :meth:`begin_write` (the connection runs with
    ``isolation_level=None``, so the driver itself never begins one)."""

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self.isolation_level = None  # transactions begin where we say, not before a driver-detected write
        path = lock_path(os.fspath(database))
        self._lock_fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o644) if path and fcntl is not None else None
        self._locked = False

    @property
    def holds_writer_lock(self) -> bool:
        return self._locked

    def begin_read(self) -> None:
        """Start a read transaction: one consistent snapshot, no lock."""
        self.execute("BEGIN")

    def begin_write(self) -> None:
        """Queue for the writer lock, then start a transaction that holds SQLite's write
        lock from its first statement (``BEGIN IMMEDIATE``)."""
        if not self._locked and self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)  # releases the GIL while it waits
            self._locked = True
        try:
            self.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._release()
            raise

    def _release(self) -> None:
        if self._locked and self._lock_fd is not None:
            self._locked = False
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._release()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None


class WalCheckpointer:
    """A daemon thread that runs ``PRAGMA wal_checkpoint(PASSIVE)`` every ``seconds``
    on its own connection. A passive checkpoint never waits for, or blocks, readers or
    writers; SQLite starts the log over once a checkpoint has caught up."""

    def __init__(self, database: str, seconds: float) -> None:
        self.database, self.seconds = database, seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="freechoice-wal-checkpoint", daemon=True)
        self._thread.start()

    def checkpoint(self) -> tuple[int, int, int]:
        """(busy, log frames, frames checkpointed), as SQLite reports them."""
        conn = sqlite3.connect(self.database, timeout=0)
        try:
            row = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            return (int(row[0]), int(row[1]), int(row[2]))
        finally:
            conn.close()

    def _run(self) -> None:
        while not self._stop.wait(self.seconds):
            try:
                self.checkpoint()
            except sqlite3.Error:
                pass  # busy or gone: the next round tries again

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
