"""What the commands share: the configured database (with its data key) and --yes."""

from __future__ import annotations

from typing import Annotated, Any

import typer

__all__ = ["Url", "Yes", "open_database", "require_yes"]

Url = Annotated[
    str | None, typer.Option("--database-url", help="Default: FREECHOICE_DATABASE_URL or sqlite:///freechoice.db")
]
Yes = Annotated[bool, typer.Option("--yes", help="Confirm: this cannot be undone.")]


def open_database(url: str | None, *, migrate: bool = False) -> Any:
    """The database the service uses, with ``FREECHOICE_DATA_KEY`` if one is set."""
    from freechoice.api.settings import Settings
    from freechoice.catalog.db import Database

    settings = Settings()
    db = Database(url or settings.database_url, data_key=settings.key_setting())
    if migrate:
        db.upgrade()
    return db


def require_yes(yes: bool, what: str) -> None:
    """Go ahead with ``--yes``, or when a person at a terminal answers yes; otherwise
    refuse (exit 2) and change nothing."""
    from ._confirm import confirm_destructive

    confirm_destructive(f"{what} cannot be undone", yes)
