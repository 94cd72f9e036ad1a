"""``freechoice keys create``: bootstrap API keys (the first admin) from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = ["register"]

keys_app = typer.Typer(help="API keys.", no_args_is_help=True)


@keys_app.command("create")
def create(
    org: Annotated[str, typer.Option("--org", help="Organisation id (created if missing, with --org-name).")],
    role: Annotated[str, typer.Option("--role", help="admin, caseworker or partner")],
    org_name: Annotated[str | None, typer.Option("--org-name", help="Name for a new organisation.")] = None,
    label: Annotated[str, typer.Option(help="A note on what the key is for.")] = "",
    database_url: Annotated[str | None, typer.Option("--database-url")] = None,
) -> None:
    """Create a key and print it once. Store it: only its hash is kept."""
    from freechoice.api.auth import ROLES, create_key
    from freechoice.api.settings import Settings
    from freechoice.catalog import Organization, Problem, ValidationFailed
    from freechoice.catalog.db import Database, save_organization
    from freechoice.catalog.db.tables import OrganizationRow

    if role not in ROLES:
        raise ValidationFailed([Problem("--role", f"unknown role '{role}'", list(ROLES))], what="command")
    settings = Settings()
    db = Database(database_url or settings.database_url, data_key=settings.key_setting())
    db.upgrade()
    with db.writing() as s:
        if s.get(OrganizationRow, org) is None:
            if not org_name:
                raise ValidationFailed(
                    [Problem("--org-name", f"organisation '{org}' does not exist; give --org-name to create it")],
                    what="command",
                )
            save_organization(s, Organization(id=org, name=org_name), "cli")
        key_id, token = create_key(s, org, role, label=label, created_by="cli")
    print(token)
    typer.echo(f"key {key_id} ({role}, {org}): store it now, it is shown only once", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")
