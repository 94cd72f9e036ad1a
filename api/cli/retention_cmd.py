"""``freechoice retention run``: purge option lists and assessments past their period."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from ._db import Url, open_database

__all__ = ["register"]

retention_app = typer.Typer(help="Retention of client records.", no_args_is_help=True)


@retention_app.command("run")
def run(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what would be removed; change nothing.")] = False,
    database_url: Url = None,
) -> None:
    """Remove each organisation's option lists and assessments older than its retention
    period (FREECHOICE_RETENTION_DAYS unless the organisation set its own), with the
    choices and finished referrals made from them; and expired sign-in sessions, old
    idempotent responses, delivered webhook deliveries past FREECHOICE_WEBHOOK_DELIVERED_DAYS
    (dead ones past FREECHOICE_WEBHOOK_DEAD_DAYS if set) and audit entries past
    FREECHOICE_AUDIT_RETENTION_DAYS. Prints what went."""
    from freechoice.api.retention import Periods, run_retention, utcnow
    from freechoice.api.settings import Settings

    settings = Settings()
    db = open_database(database_url, migrate=True)
    try:
        report = run_retention(
            db,
            now=utcnow(),
            default_days=settings.retention_days,
            periods=Periods.of(settings),
            dry_run=dry_run,
        )
    finally:
        db.dispose()
    print(json.dumps(report.as_dict(), indent=2))


def register(app: typer.Typer) -> None:
    app.add_typer(retention_app, name="retention")
