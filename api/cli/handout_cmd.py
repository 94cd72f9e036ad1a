"""``freechoice handout``: the printable handout as an HTML file, from an assessment file
(like ``freechoice match``) or from an option list stored in the database."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ._db import Url, open_database

__all__ = ["register"]

LANGS = ("en", "my", "th", "km", "lo")


def _language(value: str | None, option: str) -> str | None:
    if value is not None and value not in LANGS:
        raise typer.BadParameter(
            f"{value!r} is not a language of freechoice; allowed: {', '.join(LANGS)}", param_hint=option
        )
    return value


def _stored(list_id: str, org: str, database_url: str | None) -> tuple[Any, Any, list[str] | None, Any]:
    """The option list, the catalog, the chosen options and the rule pack in force (None:
    the default), read as the organisation that made the list (a list of another
    organisation is not found); the read is audited."""
    from sqlalchemy import select

    from freechoice.api.auth import Principal
    from freechoice.api.records import audit
    from freechoice.api.routes.handout import chosen_options
    from freechoice.catalog import FreechoiceError
    from freechoice.catalog.db.catalog_store import load_catalog
    from freechoice.catalog.db.tables import OptionListRow, RulePackRow
    from freechoice.engine import OptionList, compile_rules
    from freechoice.rules import parse_pack

    db = open_database(database_url)
    try:
        with db.session() as s:
            row = s.get(OptionListRow, list_id)
            if row is None or row.organization_id != org:
                raise FreechoiceError(f"no option list {list_id!r} of organisation {org!r}")
            ol = OptionList.model_validate(row.data)
            chosen = chosen_options(s, list_id)
            catalog, _ = load_catalog(s)
            active = s.scalars(select(RulePackRow).order_by(RulePackRow.id.desc()).limit(1)).first()
            rules = compile_rules(parse_pack(active.data)) if active is not None else None
        with db.writing() as s:
            audit(s, Principal("cli", org, "operator"), "read", "option_list", list_id, ol.client_ref, view="handout")
    finally:
        db.dispose()
    return ol, catalog, chosen, rules


def handout_command(
    assessment: Annotated[
        str | None, typer.Argument(help="Assessment JSON file, or - to read stdin (or use --option-list).")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help=f"The client's language: {', '.join(LANGS)}.")] = "en",
    caseworker_lang: Annotated[
        str | None, typer.Option("--caseworker-lang", help="Also show the handout in this language, beside it.")
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="The HTML file to write.")] = Path("handout.html"),
    option_list: Annotated[
        str | None, typer.Option("--option-list", help="A stored option list's id (with --org).")
    ] = None,
    org: Annotated[str | None, typer.Option("--org", help="The organisation that made the stored list.")] = None,
    database_url: Url = None,
    catalog: Annotated[Path | None, typer.Option(help="Catalog YAML/JSON (default: bundled sample).")] = None,
    rules: Annotated[Path | None, typer.Option(help="Rule pack YAML (default: bundled default pack).")] = None,
) -> None:
    """Write a printable handout (one self-contained HTML page, A4) in the client's language."""
    from freechoice.catalog import load_catalog, load_sample_catalog
    from freechoice.engine import load_rules, parse_assessment, propose
    from freechoice.engine.handout import handout, handout_html

    _language(lang, "--lang")
    _language(caseworker_lang, "--caseworker-lang")
    compiled = load_rules(rules)
    chosen: list[str] | None = None
    if option_list is not None:
        if assessment is not None or org is None:
            raise typer.BadParameter(
                "give --option-list with --org, and no assessment file", param_hint="--option-list"
            )
        ol, cat, chosen, in_force = _stored(option_list, org, database_url)
        if rules is None and in_force is not None:
            compiled = in_force  # the pack the service uses, for its texts' translations
    elif assessment is None:
        raise typer.BadParameter("give an assessment file, or --option-list ID --org ORG", param_hint="ASSESSMENT")
    else:
        text = sys.stdin.read() if assessment == "-" else Path(assessment).read_text(encoding="utf-8")
        try:
            raw = json.loads(text)
        except ValueError as err:
            print(f"error: {assessment}: not valid JSON: {err}", file=sys.stderr)
            raise typer.Exit(2) from None
        cat = load_sample_catalog() if catalog is None else load_catalog(catalog)
        ol = propose(parse_assessment(raw), cat, compiled)
    sheets = [handout(ol, lang=lang, catalog=cat, chosen=chosen, rules=compiled)]
    if caseworker_lang is not None and caseworker_lang != lang:
        sheets.append(handout(ol, lang=caseworker_lang, catalog=cat, chosen=chosen, rules=compiled))
    out.write_text(handout_html(sheets), encoding="utf-8")
    print(f"wrote {out}")


def register(app: typer.Typer) -> None:
    app.command("handout")(handout_command)
