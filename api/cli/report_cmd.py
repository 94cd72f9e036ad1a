"""``freechoice donor-report``: the anonymised donor report for a period (issue 12)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ._db import Url, open_database

__all__ = ["register"]


class Format(StrEnum):
    csv = "csv"
    html = "html"


def donor_report(
    period_from: Annotated[dt.datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="First day (YYYY-MM-DD).")],
    period_to: Annotated[dt.datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day (YYYY-MM-DD).")],
    org: Annotated[str, typer.Option("--org", help="The organisation (programme) reported on.")],
    fmt: Annotated[Format, typer.Option("--format", help="csv, or html (one printable page).")] = Format.csv,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (default: standard output).")
    ] = None,
    database_url: Url = None,
) -> None:
    """Transfers with their proofs, spending plans against actual spending, and case
    notes without names, places below province or identifiers; clients appear as case
    numbers. The export is written to the audit log (as GET /reports/donor does)."""
    from freechoice.api.auth import Principal
    from freechoice.api.casework import donor_export
    from freechoice.api.settings import Settings
    from freechoice.engine.casework import Programme

    programme = Programme.model_validate(Settings().programme)
    db = open_database(database_url, migrate=True)
    try:
        with db.session() as s:
            text = donor_export(
                s,
                Principal("cli", org, "operator"),
                org,
                period_from.date(),
                period_to.date(),
                programme,
                fmt=fmt.value,
                today=dt.datetime.now(dt.UTC).date(),
            )
    finally:
        db.dispose()
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"donor report written to {output}", err=True)


def register(app: typer.Typer) -> None:
    app.command("donor-report")(donor_report)
