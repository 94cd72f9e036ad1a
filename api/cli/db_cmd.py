"""``freechoice db upgrade|downgrade|current``: database migrations (SQLite or PostgreSQL)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

__all__ = ["register"]

db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
Url = Annotated[Optional[str], typer.Option("--database-url", help="Default: FREECHOICE_DATABASE_URL or sqlite:///freechoice.db")]


def _database(url: str | None):  # type: ignore[no-untyped-def]
    from freechoice.api.settings import Settings
    from freechoice.catalog.db import Database

    return Database(url or Settings().database_url)


@db_app.command("upgrade")
def upgrade(revision: str = "head", database_url: Url = None) -> None:
    """Migrate the schema up (creates it on an empty database)."""
    db = _database(database_url)
    db.upgrade(revision)
    print(f"database at {db.current()}")


@db_app.command("downgrade")
def downgrade(revision: str = "base", database_url: Url = None) -> None:
    """Migrate the schema down (to 'base' removes every table)."""
    db = _database(database_url)
    db.downgrade(revision)
    print(f"database at {db.current() or 'base'}")


@db_app.command("current")
def current(database_url: Url = None) -> None:
    """Print the schema revision."""
    print(_database(database_url).current() or "base (empty)")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
