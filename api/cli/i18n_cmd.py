"""``freechoice i18n status`` and ``freechoice i18n extract``: the client's languages."""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = ["register"]

i18n_app = typer.Typer(help="The languages a client can read their options in.", no_args_is_help=True)


@i18n_app.command("status")
def status(
    strict: Annotated[bool, typer.Option(help="Exit 1 when any language lacks a translation.")] = False,
) -> None:
    """Coverage and review status of every language's catalog."""
    from freechoice.engine.text import LANGUAGES, catalog_status, language_display_name

    incomplete = 0
    for lang in LANGUAGES:
        s = catalog_status(lang)
        name = language_display_name(lang, "en")
        own = language_display_name(lang, lang)
        pct = 100.0 * s.translated / s.total if s.total else 100.0
        print(f"{lang:<3} {name} ({own}): {s.translated}/{s.total} messages ({pct:.0f}%)")
        print(f"      made by: {s.made_by}")
        print(f"      review:  {s.review_status}")
        incomplete += not s.complete
    if strict and incomplete:
        raise typer.Exit(1)


@i18n_app.command("extract")
def extract() -> None:
    """Extract the messages from the code and the bundled rule packs into freechoice.pot,
    and merge them into every language's catalog (new messages arrive untranslated)."""
    from freechoice.engine.text.maintain import update_catalogs

    for path in update_catalogs():
        print(f"wrote {path}")


def register(app: typer.Typer) -> None:
    app.add_typer(i18n_app, name="i18n")
