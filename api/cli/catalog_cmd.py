"""``freechoice catalog import|export``: Open Referral HSDS 3.1 in and out of the database."""

from __future__ import annotations

import orjson
from pathlib import Path
from typing import Annotated, Optional

import typer

__all__ = ["register"]

catalog_app = typer.Typer(help="Catalog import and export (Open Referral HSDS 3.1).", no_args_is_help=True)
Url = Annotated[Optional[str], typer.Option("--database-url", help="Default: FREECHOICE_DATABASE_URL or sqlite:///freechoice.db")]


def _db(url: str | None):  # type: ignore[no-untyped-def]
    from freechoice.api.settings import Settings
    from freechoice.catalog.db import Database

    db = Database(url or Settings().database_url)
    db.upgrade()
    return db


@catalog_app.command("import")
def import_(
    source: Annotated[Path, typer.Argument(help="HSDS JSON file (list of services or export document) or folder of object files.")],
    database_url: Url = None,
) -> None:
    """Validate and import in one transaction; re-importing the same file changes nothing."""
    from freechoice.catalog.db import import_catalog
    from freechoice.catalog.hsds import parse_hsds, read_hsds

    parsed = parse_hsds(read_hsds(source))
    db = _db(database_url)
    with typer.progressbar(length=len(parsed.services), label="importing services", file=None) as bar:
        with db.session() as s, s.begin():
            summary = import_catalog(s, parsed.organizations, parsed.services, actor="cli-import")
        bar.update(len(parsed.services))
    print(f"{len(parsed.organizations)} organizations, {len(parsed.services)} services: "
          f"{summary.created} created, {summary.updated} updated, {summary.unchanged} unchanged")
    for row in parsed.inferred:
        print(f"  inferred {row['kinds']} for {row['id']} ({row['name']}) from {row['from']}")
    for row in parsed.unclassified:
        print(f"  UNCLASSIFIED (kept inactive): {row['id']} ({row['name']})")


@catalog_app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", help="File to write the HSDS 3.1 JSON to.")],
    org: Annotated[Optional[str], typer.Option("--org", help="Only this organisation's services.")] = None,
    sample: Annotated[bool, typer.Option("--sample", help="Export the bundled fictional sample catalog, not the database.")] = False,
    database_url: Url = None,
) -> None:
    """Write the catalog as HSDS 3.1 JSON (with the freechoice taxonomy for the facts HSDS lacks)."""
    from freechoice.catalog import load_sample_catalog
    from freechoice.catalog.db import service_records
    from freechoice.catalog.hsds import export_catalog

    if sample:
        source = load_sample_catalog()
        count = len(source)
    else:
        with _db(database_url).session() as s:
            source = service_records(s)  # type: ignore[assignment]
        count = len(source[1])
    with typer.progressbar(length=count, label="exporting services") as bar:
        doc = export_catalog(source, organization_id=org, progress=bar.update)
    out.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    print(f"wrote {len(doc['organizations'])} organizations and {len(doc['services'])} services to {out}")


def register(app: typer.Typer) -> None:
    app.add_typer(catalog_app, name="catalog")
