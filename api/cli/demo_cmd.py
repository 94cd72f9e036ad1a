"""``freechoice demo``: the main job on the embedded default (sample catalog, default rules)."""

from __future__ import annotations

import time
from typing import Annotated

import typer

__all__ = ["register"]


def demo(
    size: Annotated[int, typer.Option(min=1, max=100_000, help="Synthetic clients to generate.")] = 117,
    seed: Annotated[int, typer.Option(help="Seed for the synthetic cohort.")] = 2016,
    show: Annotated[int, typer.Option(min=1, help="Which client's option list to print in full (1-based).")] = 1,
) -> None:
    """Propose option lists for a synthetic cohort calibrated to the pilot brief,
    print a programme summary and one option list rendered for a person."""
    from freechoice.catalog import load_sample_catalog
    from freechoice.engine import load_rules, propose
    from freechoice.engine.cohort import synthetic_cohort
    from freechoice.engine.render import render_option_list
    from freechoice.engine.summary import render_summary, summarise

    catalog = load_sample_catalog()
    rules = load_rules()
    cohort = synthetic_cohort(size, seed)
    start = time.perf_counter()
    lists = [propose(a, catalog, rules) for a in cohort]
    elapsed = time.perf_counter() - start
    print("freechoice demo: FICTIONAL sample catalog, synthetic clients")
    print(
        f"catalog {catalog.version}: {len(catalog)} services from {len(catalog.organizations)} providers; "
        f"rules {rules.version}: {len(rules.rules)} rules"
    )
    print(f"{len(cohort)} synthetic clients (seed {seed}); {len(lists)} option lists in {elapsed:.2f} s")
    print()
    print(render_summary(summarise(cohort, lists), len(cohort)))
    print()
    idx = min(show, len(lists)) - 1
    print(render_option_list(lists[idx], width_options=3))


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
