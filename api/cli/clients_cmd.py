"""``freechoice clients erase``: erase one client's data on request."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from ._db import Url, Yes, open_database, require_yes

__all__ = ["register"]

clients_app = typer.Typer(help="Clients' data.", no_args_is_help=True)


@clients_app.command("erase")
def erase(
    client_ref: Annotated[str, typer.Argument(help="The client's pseudonymous reference.")],
    org: Annotated[str, typer.Option("--org", help="The organisation the client belongs to.")],
    yes: Yes = False,
    database_url: Url = None,
) -> None:
    """Erase everything held about one client (as DELETE /clients/{client_ref} does)."""
    from freechoice.api.auth import Principal
    from freechoice.api.records import audit
    from freechoice.catalog import FreechoiceError
    from freechoice.catalog.db.erasure import erase_client

    require_yes(yes, f"erasing client {client_ref!r} of {org!r}")
    db = open_database(database_url, migrate=True)
    try:
        with db.writing() as s:
            removal = erase_client(s, org, client_ref)
            if not removal.total:
                raise FreechoiceError(
                    f"no data held for client {client_ref!r} of {org!r} (already erased, or never recorded)"
                )
            audit(
                s,
                Principal("cli", org, "operator"),
                "erase",
                "client",
                None,
                None,
                organization=org,
                **removal.counts(),
            )
    finally:
        db.dispose()
    print(json.dumps({"organization_id": org, "erased": removal.counts()}, indent=2))


def register(app: typer.Typer) -> None:
    app.add_typer(clients_app, name="clients")
