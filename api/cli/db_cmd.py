"""``freechoice db upgrade|downgrade|current``: database migrations (SQLite or PostgreSQL).

``downgrade`` destroys data: it needs the target revision named, and ``--yes`` (or a
"yes" typed at a terminal)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._db import Yes, require_yes

__all__ = ["register"]

db_app = typer.Typer(help="Database migrations, backups and data keys.", no_args_is_help=True)
Url = Annotated[
    str | None, typer.Option("--database-url", help="Default: FREECHOICE_DATABASE_URL or sqlite:///freechoice.db")
]


def _database(url: str | None):  # type: ignore[no-untyped-def]
    from ._db import open_database  # with FREECHOICE_DATA_KEY: migration 0004 encrypts what is stored

    return open_database(url)


@db_app.command("upgrade")
def upgrade(revision: str = "head", database_url: Url = None) -> None:
    """Migrate the schema up (creates it on an empty database)."""
    db = _database(database_url)
    db.upgrade(revision)
    print(f"database at {db.current()}")


@db_app.command("downgrade")
def downgrade(
    revision: Annotated[
        str | None,
        typer.Argument(help="Revision to go down to, e.g. 0001; 'base' removes every table and all the data in them."),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="Do it without asking (data in the removed tables is lost).")
    ] = False,
    database_url: Url = None,
) -> None:
    """Migrate the schema down to REVISION, dropping what later revisions added (asks first)."""
    from freechoice.catalog import Problem, ValidationFailed

    from ._confirm import confirm_destructive

    if not revision:
        raise ValidationFailed(
            [
                Problem(
                    "REVISION",
                    "name the revision to go down to; nothing was changed",
                    ["base", "0001", "or another revision id"],
                )
            ],
            what="command",
        )
    db = _database(database_url)
    now = db.current() or "base"
    if now == revision:
        print(f"database already at {now}; nothing to do")
        return
    warning = f"this migrates {db.engine.url.render_as_string(hide_password=True)} down from {now} to {revision}" + (
        "; every table and all data will be removed"
        if revision == "base"
        else "; what later revisions added is removed"
    )
    confirm_destructive(warning, yes)
    db.downgrade(revision)
    print(f"database at {db.current() or 'base'}")


@db_app.command("current")
def current(database_url: Url = None) -> None:
    """Print the schema revision."""
    print(_database(database_url).current() or "base (empty)")


@db_app.command("generate-key")
def generate_key() -> None:
    """Print a new data key for FREECHOICE_DATA_KEY (keep it secret; losing it loses the data)."""
    from freechoice.catalog.db.sealing import generate_key as new_key

    print(new_key())


@db_app.command("rotate-key")
def rotate_key(yes: Yes = False, database_url: Url = None) -> None:
    """Re-encrypt every client-data value under the first key of FREECHOICE_DATA_KEY
    (values in plain text are encrypted). The other listed keys are still accepted
    while this runs; drop them from FREECHOICE_DATA_KEY afterwards."""
    from freechoice.catalog import DataKeyError
    from freechoice.catalog.db.sealing import reseal

    require_yes(yes, "re-encrypting every client record")
    db = _database(database_url)
    if db.sealer is None:
        raise DataKeyError(
            "FREECHOICE_DATA_KEY is not set: put the new key first, then the old ones, separated by commas"
        )
    try:
        with db.engine.connect().execution_options(freechoice_write=True) as conn:
            summary = reseal(conn, db.sealer, commit=conn.commit)
            conn.commit()
    finally:
        db.dispose()
    for table in summary.sealed:
        print(f"{table}: {summary.rotated[table]} re-encrypted, {summary.sealed[table]} encrypted that were plain")


@db_app.command("backup")
def backup(
    path: Annotated[Path, typer.Argument(help="The backup file to write (must not exist).")], database_url: Url = None
) -> None:
    """Copy the SQLite database to PATH while the service keeps running (SQLite's
    online backup API), and check the copy. PostgreSQL: use pg_dump (see README)."""
    from freechoice.api.settings import Settings
    from freechoice.catalog.db.backup import backup_sqlite, sqlite_path

    info = backup_sqlite(sqlite_path(database_url or Settings().database_url), path)
    print(f"backup written to {info.path} ({info.size} bytes, schema {info.revision}, integrity ok)")


@db_app.command("restore")
def restore(
    path: Annotated[Path, typer.Argument(help="A backup made with `freechoice db backup`.")],
    yes: Yes = False,
    database_url: Url = None,
) -> None:
    """Replace the SQLite database with the backup at PATH (checked first). Stop the
    service first. PostgreSQL: use pg_restore (see README)."""
    from freechoice.api.settings import Settings
    from freechoice.catalog.db.backup import check_backup, restore_sqlite, sqlite_path

    target = sqlite_path(database_url or Settings().database_url)
    check_backup(path)
    require_yes(yes, f"replacing {target} with {path}")
    info = restore_sqlite(path, target)
    print(f"restored {target} from {info.path} (schema {info.revision}); run `freechoice db upgrade` if it is older")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
