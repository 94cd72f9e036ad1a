"""A worker's ear on PostgreSQL: LISTEN for catalog changes and apply each at once.

One daemon thread per worker holds its own psycopg connection (autocommit), LISTENs on
the catalog channel and calls ``on_change`` for every notification, and once after each
(re)connect so nothing written while it was away is missed. A lost connection is
retried every ``retry_seconds``. Polling (``catalog_check_seconds``) stays on beside it:
a missed notification is caught up by the next poll, and SQLite has only polling.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

__all__ = ["ChangeListener", "libpq_url"]

log = logging.getLogger("freechoice.listen")


def libpq_url(sqlalchemy_url: str) -> str:
    """The libpq connection string of a ``postgresql+psycopg://`` SQLAlchemy URL."""
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)


class ChangeListener:
    """LISTEN on ``channel``; call ``on_change(payload)`` per notification (payload None
    after a (re)connect: catch up)."""

    def __init__(
        self, url: str, channel: str, on_change: Callable[[str | None], None], *, retry_seconds: float = 1.0
    ) -> None:
        self.conninfo, self.channel, self.on_change = libpq_url(url), channel, on_change
        self.retry_seconds = retry_seconds
        self.connected = threading.Event()
        self.backend_pid: int | None = None  # the server process of the current connection
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"listen-{channel}", daemon=True)

    def start(self) -> ChangeListener:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
                    self.backend_pid = conn.info.backend_pid
                    self.connected.set()
                    self._deliver(None)
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.5):
                            self._deliver(note.payload)
            except psycopg.Error as err:
                self.connected.clear()
                log.warning("catalog listener lost its connection (%s); retrying", err.__class__.__name__)
                self._stop.wait(self.retry_seconds)

    def _deliver(self, payload: str | None) -> None:
        try:
            self.on_change(payload)
        except Exception:  # a failed apply must not end the listener: the poll retries it
            log.exception("applying a catalog change failed")
