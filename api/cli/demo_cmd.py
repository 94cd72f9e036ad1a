"""``freechoice demo``: the main job on the embedded default (SQLite, the bundled sample
catalog, the default rules)."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["register", "store_simulation"]


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

    from freechoice.api.settings import Settings
    from freechoice.catalog import Organization, load_sample_catalog
    from freechoice.catalog.db import Database, import_catalog, load_catalog, save_organization
    from freechoice.catalog.db.tables import AssessmentRow, OptionListRow, OrganizationRow
    from freechoice.engine import load_rules, propose
    from freechoice.engine.casework import (
        SIMULATION_START,
        Programme,
        compute_measures,
        render_measures,
        simulate_casework,
    )
    from freechoice.engine.cohort import describe_cohort, synthetic_cohort
    from freechoice.engine.kpis import list_summary
    from freechoice.engine.render import render_option_list
    from freechoice.engine.summary import render_summary, summarise

    url = database_url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='freechoice-demo-')) / 'freechoice.db'}"

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
    programme = Programme.model_validate(Settings().programme)
    cases, as_of = simulate_casework(cohort, lists, programme, seed=seed)
    list_ids = []
    with db.writing() as s:
        for a, ol in zip(cohort, lists, strict=True):
            aid = "as-" + uuid.uuid4().hex
            list_ids.append((aid, "ol-" + uuid.uuid4().hex))
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
                    id=list_ids[-1][1],
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
    with db.writing() as s:
        store_simulation(s, "org-demo-caseworkers", cohort, lists, list_ids, cases)
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
    print()
    records = [c.record for c in cases]
    transfers = sum(len(r.transfers) for r in records)
    paid = sum(len(r.payments) for r in records)
    print(
        f"Cash-plus over six months ({SIMULATION_START} to {as_of}, simulated, seed {seed}): "
        f"{sum(r.cash_chosen for r in records)} clients chose cash; {paid} of {transfers} transfers paid; "
        f"{sum(len(r.follow_ups) for r in records)} follow-ups"
    )
    print(f"Measures (groups under {programme.min_group} clients hidden):")
    print(render_measures(compute_measures(records, min_group=programme.min_group)))


def store_simulation(
    session: Any,
    org: str,
    cohort: Sequence[Any],
    lists: Sequence[Any],
    ids: Sequence[tuple[str, str]],
    cases: Sequence[Any],
) -> None:
    """Store the simulated casework (choices, referrals, transfers and payments, plans,
    follow-ups and re-rankings) as the service would; earlier simulated casework of
    the demo organisation goes first (it is all fictional)."""
    import datetime as dt
    import uuid

    from sqlalchemy import delete, select

    from freechoice.catalog.db.tables import (
        AssessmentRow,
        ChoiceRow,
        FollowUpRow,
        ReferralRow,
        SpendingPlanRow,
        TransferPaymentRow,
        TransferRow,
    )

    for table in (TransferPaymentRow, FollowUpRow, SpendingPlanRow):
        session.execute(delete(table).where(table.organization_id == org))
    session.execute(delete(TransferRow).where(TransferRow.organization_id == org))
    choice_ids = list(session.scalars(select(ChoiceRow.id).where(ChoiceRow.organization_id == org)))
    session.execute(delete(ReferralRow).where(ReferralRow.organization_id == org))
    session.execute(delete(ChoiceRow).where(ChoiceRow.id.in_(choice_ids)))
    session.execute(
        delete(AssessmentRow).where(AssessmentRow.organization_id == org, AssessmentRow.follows_id.is_not(None))
    )
    for a, ol, (aid, list_id), case in zip(cohort, lists, ids, cases, strict=True):
        r = case.record
        at = dt.datetime.combine(r.started_on, dt.time(9), tzinfo=dt.UTC)
        choice_id = "ch-" + uuid.uuid4().hex
        offered = {o.option_id: (o, n) for n in ol.needs for o in n.options}
        session.add(
            ChoiceRow(
                id=choice_id,
                option_list_id=list_id,
                organization_id=org,
                decision=r.decisions[0],
                data={
                    "option_list_id": list_id,
                    "client_ref": a.client_ref,
                    "decision": r.decisions[0],
                    "option_ids": case.option_ids,
                    "cash_chosen": r.cash_chosen,
                },
                created_at=at,
                created_by="demo",
            )
        )
        session.flush()
        for i, oid in enumerate(o for o in case.option_ids if o in offered):
            opt, need = offered[oid]
            session.add(
                ReferralRow(
                    id="rf-" + uuid.uuid4().hex,
                    choice_id=choice_id,
                    option_list_id=list_id,
                    organization_id=org,
                    provider_id=opt.provider_id,
                    service_id=opt.service_id,
                    kinds=list(opt.kinds),
                    need=need.need,
                    priority=need.priority,
                    status="sent",
                    shared={"client_ref": a.client_ref, "need": need.need},
                    created_at=at + dt.timedelta(minutes=i),
                    updated_at=at + dt.timedelta(minutes=i),
                )
            )
        paid = {p.number: p for p in r.payments}
        for t in r.transfers:
            tid = "tr-" + uuid.uuid4().hex
            session.add(
                TransferRow(
                    id=tid,
                    organization_id=org,
                    client_ref=a.client_ref,
                    choice_id=choice_id,
                    number=t.number,
                    due_on=t.due_on,
                    amount=t.amount,
                    currency=t.currency,
                    method=t.method,
                    created_by="demo",
                )
            )
            if t.number in paid:
                p = paid[t.number]
                session.flush()
                session.add(
                    TransferPaymentRow(
                        id="pay-" + uuid.uuid4().hex,
                        transfer_id=tid,
                        organization_id=org,
                        paid_on=p.paid_on,
                        amount=p.amount,
                        method=p.method,
                        reference=p.reference,
                        recorded_by="demo",
                    )
                )
        if r.plan:
            session.add(
                SpendingPlanRow(
                    id="sp-" + uuid.uuid4().hex,
                    organization_id=org,
                    client_ref=a.client_ref,
                    version=1,
                    currency=r.transfers[0].currency,
                    total=sum(line.amount for line in r.plan),
                    data={"lines": [line.model_dump(mode="json") for line in r.plan], "language": case.plan_language},
                    created_at=at,
                    created_by="demo",
                )
            )
        for f in r.follow_ups:
            rerank = None
            if f.needs is not None:
                rerank = "as-" + uuid.uuid4().hex
                session.add(
                    AssessmentRow(
                        id=rerank,
                        organization_id=org,
                        client_ref=a.client_ref,
                        data={**a.model_dump(mode="json"), "needs": dict(f.needs)},
                        created_by="demo",
                        created_at=dt.datetime.combine(f.on, dt.time(10), tzinfo=dt.UTC),
                        follows_id=aid,
                    )
                )
            session.add(
                FollowUpRow(
                    id="fu-" + uuid.uuid4().hex,
                    organization_id=org,
                    client_ref=a.client_ref,
                    held_on=f.on,
                    assessment_id=rerank,
                    data=f.model_dump(mode="json"),
                    created_by="demo",
                )
            )
    session.flush()


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
