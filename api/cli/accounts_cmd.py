"""``freechoice accounts``: people who sign in to the pages (the first admin, resets)."""

from __future__ import annotations

from typing import Annotated

import typer

from ._db import Url, open_database

__all__ = ["register"]

accounts_app = typer.Typer(help="Accounts of people who sign in to the pages.", no_args_is_help=True)


def _password(given: str | None) -> str:
    if given is not None:
        return given
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@accounts_app.command("create")
def create(
    username: Annotated[str, typer.Argument(help="Sign-in name (lower case).")],
    org: Annotated[str, typer.Option("--org", help="Organisation id (created if missing, with --org-name).")],
    role: Annotated[str, typer.Option("--role", help="caseworker, partner, manager or admin")],
    name: Annotated[str, typer.Option("--name", help="The person's name as shown on the pages.")] = "",
    org_name: Annotated[str | None, typer.Option("--org-name", help="Name for a new organisation.")] = None,
    language: Annotated[str | None, typer.Option("--language", help="Language of the pages (ISO 639-1).")] = None,
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            help="Default: asked at the terminal (FREECHOICE_PASSWORD also works).",
            envvar="FREECHOICE_PASSWORD",
        ),
    ] = None,
    database_url: Url = None,
) -> None:
    """Create an account (e.g. the first admin)."""
    from freechoice.api.web.accounts import create_person
    from freechoice.catalog import Organization, Problem, ValidationFailed
    from freechoice.catalog.db import save_organization
    from freechoice.catalog.db.tables import OrganizationRow

    secret = _password(password)
    db = open_database(database_url, migrate=True)
    with db.writing() as s:
        if s.get(OrganizationRow, org) is None:
            if not org_name:
                raise ValidationFailed(
                    [Problem("--org-name", f"organisation '{org}' does not exist; give --org-name to create it")],
                    what="command",
                )
            save_organization(s, Organization(id=org, name=org_name), "cli")
        person_id = create_person(
            s,
            username=username,
            password=secret,
            organization_id=org,
            role=role,
            display_name=name,
            language=language,
            created_by="cli",
        )
    typer.echo(f"account {username} ({person_id}, {role}, {org}) created")


@accounts_app.command("reset")
def reset(
    username: Annotated[str, typer.Argument(help="Whose password to set.")],
    password: Annotated[
        str | None, typer.Option("--password", help="Default: asked at the terminal.", envvar="FREECHOICE_PASSWORD")
    ] = None,
    database_url: Url = None,
) -> None:
    """Set a new password, lift a lock, and sign the person out everywhere."""
    from freechoice.api.web.accounts import reset_password

    secret = _password(password)
    db = open_database(database_url, migrate=True)
    with db.writing() as s:
        reset_password(s, username, secret)
    typer.echo(f"password of {username} set; their sessions are ended")


def _switch(username: str, database_url: str | None, *, disabled: bool) -> None:
    from freechoice.api.auth import Principal, bump_access_revision
    from freechoice.api.records import audit
    from freechoice.api.web.accounts import set_disabled

    db = open_database(database_url, migrate=True)
    try:
        with db.writing() as s:
            bump_access_revision(s)  # keys issued to the person stop in every worker
            row = set_disabled(s, username, disabled=disabled)
            audit(
                s,
                Principal("cli", row.organization_id, "operator"),
                "disable" if disabled else "enable",
                "person",
                row.id,
            )
    finally:
        db.dispose()


@accounts_app.command("disable")
def disable(
    username: Annotated[str, typer.Argument(help="Whose account to disable.")],
    database_url: Url = None,
) -> None:
    """Disable an account: the person is signed out everywhere at once, cannot sign in,
    and the API keys issued to them stop working (audited)."""
    _switch(username, database_url, disabled=True)
    typer.echo(f"account {username} disabled; their sessions are ended")


@accounts_app.command("enable")
def enable(
    username: Annotated[str, typer.Argument(help="Whose account to enable again.")],
    database_url: Url = None,
) -> None:
    """Enable a disabled account again: the person can sign in (audited)."""
    _switch(username, database_url, disabled=False)
    typer.echo(f"account {username} enabled")


@accounts_app.command("list")
def list_(database_url: Url = None) -> None:
    """Accounts: username, role, organisation, and whether locked or disabled."""
    import datetime as dt

    from sqlalchemy import select

    from freechoice.catalog.db.tables import PersonRow

    db = open_database(database_url, migrate=True)
    now = dt.datetime.now(dt.UTC)
    with db.session() as s:
        for p in s.scalars(select(PersonRow).order_by(PersonRow.organization_id, PersonRow.username)):
            locked = (
                p.locked_until
                and (p.locked_until if p.locked_until.tzinfo else p.locked_until.replace(tzinfo=dt.UTC)) > now
            )
            status = "disabled" if p.disabled_at else "locked" if locked else "active"
            typer.echo(f"{p.username}\t{p.role}\t{p.organization_id}\t{status}\t{p.display_name}")


@accounts_app.command("key")
def key(
    username: Annotated[str, typer.Argument(help="The person the key is issued to.")],
    label: Annotated[str, typer.Option(help="A note on what the key is for.")] = "",
    database_url: Url = None,
) -> None:
    """Issue an API key to a person (their calls are audited under their name); printed once."""
    from sqlalchemy import select

    from freechoice.api.auth import ROLES, create_key
    from freechoice.catalog import Problem, ValidationFailed
    from freechoice.catalog.db.tables import PersonRow

    db = open_database(database_url, migrate=True)
    with db.writing() as s:
        person = s.scalar(select(PersonRow).where(PersonRow.username == username))
        if person is None:
            raise ValidationFailed([Problem("username", f"no account '{username}'")], what="command")
        if person.role not in ROLES:
            raise ValidationFailed(
                [Problem("role", f"the API has no role '{person.role}'", list(ROLES), person.role)], what="command"
            )
        key_id, token = create_key(
            s, person.organization_id, person.role, label=label, created_by="cli", person_id=person.id
        )
    print(token)
    typer.echo(f"key {key_id} for {username} ({person.role}): store it now, it is shown only once", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(accounts_app, name="accounts")
