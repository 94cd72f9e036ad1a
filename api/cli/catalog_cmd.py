"""``freechoice catalog import|export``: Open Referral HSDS 3.1 in and out of the database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import orjson
import typer

if TYPE_CHECKING:
    from freechoice.catalog.db import Database
    from freechoice.catalog.hsds import HsdsImport

__all__ = ["register"]

catalog_app = typer.Typer(help="Catalog import and export (Open Referral HSDS 3.1).", no_args_is_help=True)
Url = Annotated[
    str | None, typer.Option("--database-url", help="Default: FREECHOICE_DATABASE_URL or sqlite:///freechoice.db")
]


def _db(url: str | None) -> Database:
    from freechoice.api.settings import Settings
    from freechoice.catalog.db import Database

    settings = Settings()
    db = Database(url or settings.database_url, data_key=settings.key_setting())
    db.upgrade()
    return db


def _check(db: Database, parsed: HsdsImport, org: str | None) -> None:
    """What only the database can tell: the organisation named by --org exists, and the
    import closes no referral cycle with what is stored."""
    from freechoice.catalog import CatalogError, Problem, ValidationFailed
    from freechoice.catalog.bulk import gc_paused
    from freechoice.catalog.db import load_catalog
    from freechoice.catalog.db.tables import OrganizationRow
    from freechoice.engine import ReferralGraph

    with db.session() as s:
        if org is not None and s.get(OrganizationRow, org) is None:
            raise ValidationFailed([Problem("--org", f"no organization {org!r} in the database")], what="import")
        if any(svc.refers_to or svc.requires for svc in parsed.services):
            try:
                with gc_paused():  # bulk work: see freechoice.catalog.bulk
                    ReferralGraph(parsed.applied_to(load_catalog(s)[0], linked_only=True))
            except CatalogError as err:
                raise ValidationFailed([Problem("refers_to/requires", str(err))], what="import") from None


@catalog_app.command("import")
def import_(
    source: Annotated[
        Path, typer.Argument(help="HSDS JSON file (list of services or export document) or folder of object files.")
    ],
    org: Annotated[
        str | None,
        typer.Option(
            "--org",
            help="Import every service as this existing organisation's (the file's organisations are not imported).",
        ),
    ] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Also write the import report (JSON) here.")] = None,
    lenient: Annotated[
        bool,
        typer.Option(
            "--lenient",
            help="Import a record with an impossible value without that "
            "value, and leave out records that cannot be read; both are reported "
            "(default: refuse the whole file).",
        ),
    ] = False,
    directory: Annotated[
        str | None,
        typer.Option(
            "--directory",
            help="Incremental sync with this directory (a name): services not modified since the "
            "last_modified held are skipped, and the directory's services the file no longer lists are set inactive "
            "(reported).",
        ),
    ] = None,
    changed_only: Annotated[
        bool,
        typer.Option(
            "--changed-only", help="With --directory: the file lists only changed services; deactivate nothing."
        ),
    ] = False,
    database_url: Url = None,
) -> None:
    """Validate and import in one transaction; nothing is written if anything is wrong,
    and re-importing the same file changes nothing."""
    from freechoice.catalog.db import import_catalog
    from freechoice.catalog.hsds import parse_hsds, read_hsds

    typer.echo(f"reading {source}")
    doc = read_hsds(source)
    total = len(doc) if isinstance(doc, list) else len(doc.get("services") or []) if isinstance(doc, dict) else 0
    with typer.progressbar(length=total, label="validating services") as bar:
        parsed = parse_hsds(doc, organization_id=org, progress=bar.update, lenient=lenient)
    del doc
    db = _db(database_url)
    sync = None
    try:
        if directory is not None:
            from freechoice.catalog.db import load_catalog
            from freechoice.catalog.hsds import HsdsImport
            from freechoice.catalog.hsds.sync import plan_sync

            with db.session() as s:
                sync = plan_sync(parsed, load_catalog(s)[0], directory, deactivate_missing=not changed_only)
            parsed = HsdsImport(
                parsed.organizations,
                sync.services,
                parsed.unclassified,
                parsed.inferred,
                parsed.dropped,
                parsed.refused,
            )
            typer.echo(f"sync with {directory!r} (held up to {sync.watermark}): {sync.skipped} not modified, skipped")
        _check(db, parsed, org)
        typer.echo(f"writing {len(parsed.services)} services in one transaction")
        with db.writing() as s:
            summary = import_catalog(s, parsed.organizations, parsed.services, actor="cli-import")
    finally:
        db.dispose()
    typer.echo(
        f"{len(parsed.organizations)} organizations, {len(parsed.services)} services: "
        f"{summary.created} created, {summary.updated} updated, {summary.unchanged} unchanged"
    )
    for row in parsed.inferred:
        typer.echo(f"  inferred {row['kinds']} for {row['id']} ({row['name']}) from {row['from']}")
    for row in parsed.unclassified:
        typer.echo(f"  UNCLASSIFIED (kept inactive): {row['id']} ({row['name']})")
    for row in parsed.dropped:
        typer.echo(f"  DROPPED {row['record']}.{row['field']} = {row['value']}: {row['why']}")
    for row in parsed.refused:
        typer.echo(f"  REFUSED {row['record']}: {row['why']}")
    for row in sync.deactivated if sync else []:
        typer.echo(f"  DEACTIVATED {row['id']} ({row['name']}): {row['why']}")
    if report is not None:
        body = {
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            **parsed.report(),
            **(sync.report() if sync else {}),
        }
        report.write_bytes(orjson.dumps(body, option=orjson.OPT_INDENT_2))


@catalog_app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", help="File to write the HSDS 3.1 JSON to.")],
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation's services.")] = None,
    sample: Annotated[
        bool, typer.Option("--sample", help="Export the bundled fictional sample catalog, not the database.")
    ] = False,
    include_deactivated: Annotated[
        bool,
        typer.Option(
            "--include-deactivated",
            help="Also deactivated organisations and their services (not offered), marked "
            "organization_active: false. Default: left out.",
        ),
    ] = False,
    database_url: Url = None,
) -> None:
    """Write the catalog as HSDS 3.1 JSON (with the freechoice taxonomy for the facts HSDS lacks)."""
    from sqlalchemy import select

    from freechoice.catalog import load_sample_catalog
    from freechoice.catalog.db import service_records
    from freechoice.catalog.db.tables import OrganizationRow
    from freechoice.catalog.hsds import export_catalog

    deactivated: list[str] = []
    if sample:
        source = load_sample_catalog()
        count = len(source)
    else:
        db = _db(database_url)
        with db.session() as s:
            source = service_records(s)  # type: ignore[assignment]
            deactivated = list(s.scalars(select(OrganizationRow.id).where(OrganizationRow.deactivated_at.is_not(None))))
        db.dispose()
        count = len(source[1])
    with typer.progressbar(length=count, label="exporting services") as bar:
        doc = export_catalog(
            source,
            organization_id=org,
            progress=bar.update,
            deactivated=deactivated,
            include_deactivated=include_deactivated,
        )
    out.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    typer.echo(f"wrote {len(doc['organizations'])} organizations and {len(doc['services'])} services to {out}")
    if deactivated and not include_deactivated:
        typer.echo(
            f"left out {len(deactivated)} deactivated organisation(s) and their services (--include-deactivated)"
        )


def register(app: typer.Typer) -> None:
    app.add_typer(catalog_app, name="catalog")
