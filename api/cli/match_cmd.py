"""``freechoice match``: one client's option list, as text or as the JSON contract."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register"]


def match(
    assessment: Annotated[str, typer.Argument(help="Assessment JSON file, or - to read stdin.")],
    catalog: Annotated[Path | None, typer.Option(help="Catalog YAML/JSON (default: bundled sample).")] = None,
    rules: Annotated[Path | None, typer.Option(help="Rule pack YAML (default: bundled default pack).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print exactly the option list JSON on stdout.")] = False,
    all_needs: Annotated[bool, typer.Option("--all-needs", help="Include needs ranked 1 and 2.")] = False,
    show_all: Annotated[
        bool,
        typer.Option(
            "--show-all",
            help="Also show what is left out by default and shown on request (fees, brokers, pay below "
            "the minimum, closed places, family tracing without the client), last in each need, with cautions.",
        ),
    ] = False,
    lang: Annotated[
        str,
        typer.Option(
            "--lang",
            help="The client's language: en, my (Burmese), th (Thai), km (Khmer), lo (Lao). "
            "Texts without a translation yet are shown in English, marked as such.",
        ),
    ] = "en",
    caseworker: Annotated[
        bool,
        typer.Option("--caseworker", help="The caseworker's view: adds ids, fit scores, rules and what was left out."),
    ] = False,
    detail: Annotated[
        bool,
        typer.Option(
            "--detail",
            help="The caseworker's full view: every option with its id, fit score and the list's versions.",
        ),
    ] = False,
) -> None:
    """Propose options for one client's assessment."""
    from freechoice.catalog import load_catalog, load_sample_catalog
    from freechoice.engine import load_rules, parse_assessment, propose
    from freechoice.engine.render import render_detail, render_option_list

    text = sys.stdin.read() if assessment == "-" else Path(assessment).read_text(encoding="utf-8")
    try:
        raw = json.loads(text)
    except ValueError as err:
        print(f"error: {assessment}: not valid JSON: {err}", file=sys.stderr)
        raise typer.Exit(2) from None
    from freechoice.engine.text import LANGUAGES

    if lang.split("-")[0].lower() not in LANGUAGES:
        print(f"error: --lang: unknown language {lang!r}; allowed: {', '.join(LANGUAGES)}", file=sys.stderr)
        raise typer.Exit(2)
    a = parse_assessment(raw)
    cat = load_sample_catalog() if catalog is None else load_catalog(catalog)
    compiled = load_rules(rules)
    ol = propose(a, cat, compiled, all_needs=all_needs, show_all=show_all)
    if as_json:
        sys.stdout.write(ol.model_dump_json(indent=2) + "\n")
    else:
        view = "caseworker" if caseworker else "client"
        if detail:
            print(render_detail(ol))
        else:
            print(render_option_list(ol, compiled, lang=lang, view=view, catalog=cat))


def register(app: typer.Typer) -> None:
    app.command("match")(match)
