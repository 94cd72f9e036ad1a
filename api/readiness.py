"""The readiness check's database probe, bounded in time: an unreachable database
makes ``/readyz`` answer 503 within about ``ready_timeout_seconds``, not hang.

On PostgreSQL the probe opens a connection of its own each time (no pool), with a
connect timeout (libpq's minimum is 2 seconds), a TCP user timeout and a statement
timeout, so a server that accepts the connection but never answers is reported too.
(A server that answers the connection and then hangs inside the query, yet keeps
acknowledging packets, is not bounded client-side.) On SQLite it reads
through the service's engine (a local file answers or fails at once).
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from freechoice.catalog.db import Database

__all__ = ["DatabaseProbe"]


class DatabaseProbe:
    """Reads the schema revision with bounded waits; :meth:`check` says ``ok`` or why not."""

    def __init__(self, db: Database, timeout_seconds: float) -> None:
        self.timeout = timeout_seconds
        self.engine: Engine = db.engine
        self.own = not db.is_sqlite
        if self.own:
            connect_args: dict[str, Any] = {
                "connect_timeout": max(2, math.ceil(timeout_seconds)),
                # data the server does not acknowledge (its host gone mid-query) fails the connection too
                "tcp_user_timeout": max(1, round(timeout_seconds * 1000)),
            }
            self.engine = create_engine(db.engine.url, poolclass=NullPool, connect_args=connect_args)

    def check(self) -> str:
        try:
            with self.engine.connect() as conn:  # reads a table: a file that is no database fails here
                if self.own:
                    conn.execute(text(f"SET statement_timeout = {max(1, round(self.timeout * 1000))}"))
                revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception as err:  # noqa: BLE001 - any failure means "not ready"; the reason is reported
            return f"unreachable: {type(err).__name__}"
        return "ok" if revision else "no schema (run `freechoice db upgrade`)"

    def close(self) -> None:
        if self.own:
            self.engine.dispose()
