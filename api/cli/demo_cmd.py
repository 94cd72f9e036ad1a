"""``freechoice demo``: the main job on the embedded default (SQLite, the bundled sample
catalog, the default rules)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register"]


def demo(
    size: Annotated[int, typer.Option(min=1, max=100_000, help="Synthetic clients to generate.")] = 117,
    seed: Annotated[int, typer.Option(help="Seed for the synthetic cohort.")] = 2016,
    show: Annotated[int, typer.Option(min=1, help="Which client's option list to print in full (1-based).")] = 1,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", help="Where to keep the demo data (default: a new SQLite file in a temporary folder)."
        ),
    ] = None,
) -> None:
    """Load the fictional sample catalog into SQLite, propose option lists for a
    synthetic cohort calibrated to the pilot brief, store them as offered, and print
    a programme summary and one option list rendered for a person."""
    import datetime as dt
    import uuid

    from freechoice.catalog import Organization, load_sample_catalog
    from freechoice.catalog.db import Database, import_catalog, load_catalog, save_organization
    from freechoice.catalog.db.tables import AssessmentRow, OptionListRow, OrganizationRow
    from freechoice.engine import load_rules, propose
    from freechoice.engine.cohort import describe_cohort, synthetic_cohort
    from freechoice.engine.kpis import list_summary
    from freechoice.engine.render import render_option_list
    from freechoice.engine.summary import render_summary, summarise

    url = database_url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='freechoice-demo-')) / 'freechoice.db'}"
    from freechoice.api.settings import Settings

    db = Database(url, data_key=Settings().key_setting())
    db.upgrade()
    sample = load_sample_catalog()
    with db.writing() as s:
        import_catalog(s, sample.organizations.values(), list(sample), actor="demo")
        if s.get(OrganizationRow, "org-demo-caseworkers") is None:
            save_organization(
                s, Organization(id="org-demo-caseworkers", name="Demo caseworkers (fictional)", sample=True), "demo"
            )
    with db.session() as s:
        catalog, _ = load_catalog(s, sample=True)
    rules = load_rules()
    cohort = synthetic_cohort(size, seed)
    start = time.perf_counter()
    lists = [propose(a, catalog, rules) for a in cohort]
    elapsed = time.perf_counter() - start
    now = dt.datetime.now(dt.UTC)
    with db.writing() as s:
        for a, ol in zip(cohort, lists, strict=True):
            aid = "as-" + uuid.uuid4().hex
            s.add(
                AssessmentRow(
                    id=aid,
                    organization_id="org-demo-caseworkers",
                    client_ref=a.client_ref,
                    data=a.model_dump(mode="json"),
                    created_by="demo",
                    created_at=now,
                )
            )
            s.flush()
            s.add(
                OptionListRow(
                    id="ol-" + uuid.uuid4().hex,
                    organization_id="org-demo-caseworkers",
                    assessment_id=aid,
                    client_ref=a.client_ref,
                    rules_version=ol.rules_version,
                    catalog_version=ol.catalog_version,
                    data=ol.model_dump(mode="json"),
                    created_by="demo",
                    created_at=now,
                    **list_summary(ol.model_dump(mode="json")),
                )
            )
    db.dispose()
    print("freechoice demo: FICTIONAL sample catalog, synthetic clients")
    print(f"database: {url}")
    print(
        f"catalog {catalog.version}: {len(catalog)} services from {len(catalog.organizations) - 1} providers; "
        f"rules {rules.version}: {len(rules.rules)} rules"
    )
    print(
        f"{len(cohort)} synthetic clients (seed {seed}); {len(lists)} option lists in {elapsed:.2f} s, stored as offered"
    )
    print(describe_cohort(cohort))
    print()
    print(render_summary(summarise(cohort, lists), len(cohort)))
    print()
    idx = min(show, len(lists)) - 1
    print(render_option_list(lists[idx], rules, catalog=catalog))


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
