"""The programme dashboard: the pilot brief's kind of figures for an office and period,
drawn as SVG on the server, each with its table and a CSV download. The numbers are the
API's (``GET /kpis/figures`` and ``GET /kpis``: the same functions); groups under five
are hidden there, and said so here."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from markupsafe import Markup
from sqlalchemy import select
from starlette.responses import Response

from freechoice.catalog import NEEDS
from freechoice.catalog.db.tables import OptionListRow, OrganizationRow
from freechoice.engine.figures import MIN_GROUP

from ..routes.feedback import kpis
from ..routes.figures import figures_for
from .calls import Refused, call
from .charts import Bar, Point, bar_chart, line_chart
from .deps import PAGES, Manager
from .i18n import N_, Translator, translator
from .security import WebError
from .templating import user_language

__all__ = ["CHART_IDS", "Chart", "build_charts", "build_measures", "measures_csv_rows", "router"]

router = APIRouter()
CHART_IDS = ("needs-ranked-4", "needs-met-by-priority", "referral-outcomes", "satisfaction")
STATUS_NAMES = {
    "sent": N_("waiting for the partner"),
    "accepted": N_("accepted"),
    "in_progress": N_("started"),
    "completed": N_("done"),
    "declined": N_("declined"),
    "closed": N_("closed"),
}


@dataclass
class Chart:
    """One figure: its SVG, the same numbers as a table, and the rows of its CSV."""

    id: str
    title: str
    desc: str
    svg: Markup
    headers: list[str]
    rows: list[list[str]]
    csv_header: list[str]
    csv_rows: list[list[Any]] = field(default_factory=list)


def _pct(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.0f}%"


def build_charts(f: dict[str, Any], _: Translator) -> list[Chart]:
    """The dashboard's charts from ``GET /kpis/figures``'s body, in the user's words."""
    hidden = _("fewer than %(n)s: not shown", n=f["min_group"])
    charts = []
    n = f["clients"]
    rank = f["need_rank_4"]

    def need(row: dict[str, Any]) -> str:
        return _(NEEDS[row["need"]].label) if row["need"] in NEEDS else str(row["need"])

    charts.append(
        Chart(
            "needs-ranked-4",
            _("Share of clients ranking each need 4 (highest priority)"),
            _("Clients: %(n)s. Most ranked first: %(top)s.", n=n, top=", ".join(need(r) for r in rank[:3]))
            if n >= f["min_group"]
            else hidden,
            bar_chart(
                [Bar(need(r), r["share"], _pct(r["share"])) for r in rank],
                ident="chart-needs-ranked-4",
                title=_("Share of clients ranking each need 4 (highest priority)"),
                desc=_("One bar per need; the longer the bar, the more clients ranked it 4."),
                maximum=1.0,
                hidden_text=hidden,
            ),
            [_("Need"), _("Clients ranking it 4"), _("Share"), _("Of them, with an option")],
            [
                [
                    need(r),
                    str(r["clients"] if r["clients"] is not None else hidden),
                    _pct(r["share"]),
                    _pct(r["share_with_option"]) or hidden,
                ]
                for r in rank
            ],
            ["need", "clients_ranking_4", "share", "with_option", "share_with_option", "hidden"],
            [
                [r["need"], r["clients"], r["share"], r["with_option"], r["share_with_option"], r["hidden"]]
                for r in rank
            ],
        )
    )
    prio = f["needs_by_priority"]
    charts.append(
        Chart(
            "needs-met-by-priority",
            _("Needs with a usable option, by the client's priority"),
            _("Of the needs clients ranked 4, %(share)s had a usable option.", share=_pct(prio[0]["share"]) or hidden),
            bar_chart(
                [Bar(_("Priority %(p)s", p=p["priority"]), p["share"], _pct(p["share"])) for p in prio],
                ident="chart-needs-met-by-priority",
                title=_("Needs with a usable option, by the client's priority"),
                desc=_("One bar per priority, 4 first; the bar is the share of those needs with a usable option."),
                maximum=1.0,
                hidden_text=hidden,
            ),
            [_("Priority"), _("Needs"), _("With an option"), _("Share")],
            [
                [
                    str(p["priority"]),
                    str(p["needs"]),
                    str(p["with_option"] if p["with_option"] is not None else hidden),
                    _pct(p["share"]) or hidden,
                ]
                for p in prio
            ],
            ["priority", "needs", "with_option", "share", "hidden"],
            [[p["priority"], p["needs"], p["with_option"], p["share"], p["hidden"]] for p in prio],
        )
    )
    out = f["referral_outcomes"]
    charts.append(
        Chart(
            "referral-outcomes",
            _("What became of the referrals"),
            _("Referrals sent: %(n)s.", n=out["referrals"]) if not out["hidden"] else hidden,
            bar_chart(
                [
                    Bar(_(STATUS_NAMES[s["status"]]), s["share"], f"{s['count']}" if s["count"] is not None else "")
                    for s in out["by_status"]
                ],
                ident="chart-referral-outcomes",
                title=_("What became of the referrals"),
                desc=_("One bar per status a sent referral is in now; the bar is its share of the referrals."),
                maximum=1.0,
                hidden_text=hidden,
            ),
            [_("Status"), _("Referrals"), _("Share")],
            [
                [_(STATUS_NAMES[s["status"]]), str(s["count"]) if s["count"] is not None else hidden, _pct(s["share"])]
                for s in out["by_status"]
            ],
            ["status", "referrals", "share", "hidden"],
            [[s["status"], s["count"], s["share"], out["hidden"]] for s in out["by_status"]],
        )
    )
    months = f["satisfaction_by_month"]
    charts.append(
        Chart(
            "satisfaction",
            _("Client satisfaction by month (1 very unhappy to 5 very happy)"),
            _("Feedback given: %(n)s.", n=sum(m["n"] for m in months)),
            line_chart(
                [Point(m["month"], m["mean"], f"{m['mean']:.1f}" if m["mean"] is not None else "") for m in months],
                ident="chart-satisfaction",
                title=_("Client satisfaction by month (1 very unhappy to 5 very happy)"),
                desc=_("The mean satisfaction of each month's feedback, month by month."),
                minimum=1,
                maximum=5,
                hidden_text=_("under %(n)s", n=f["min_group"]),
            ),
            [_("Month"), _("Feedback"), _("Mean satisfaction")],
            [[m["month"], str(m["n"]), f"{m['mean']:.2f}" if m["mean"] is not None else hidden] for m in months],
            ["month", "feedback", "mean_satisfaction", "hidden"],
            [[m["month"], m["n"], m["mean"], m["hidden"]] for m in months],
        )
    )
    return charts


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    return str(value)


def build_measures(summary: dict[str, Any], _: Translator) -> list[dict[str, Any]]:
    """The empowerment measures ``GET /kpis`` carries (``measures``, by name: definition,
    clients, value, suppressed, groups), as rows to show; a suppressed figure is said so."""
    hidden = _("too few clients to show")
    out = []
    for name, m in (summary.get("measures") or {}).items():
        groups = [
            [str(g.get("group")), _value(g.get("clients")), hidden if g.get("suppressed") else _value(g.get("value"))]
            for g in m.get("groups") or []
        ]
        out.append(
            {
                "name": name,
                "title": name.replace("_", " ").capitalize(),
                "definition": m.get("definition", ""),
                "clients": _value(m.get("clients")),
                "value": hidden if m.get("suppressed") else _value(m.get("value")),
                "groups": groups,
            }
        )
    return out


def measures_csv_rows(summary: dict[str, Any]) -> list[list[Any]]:
    """One row per measure and per group: name, group, clients, value, suppressed."""
    rows: list[list[Any]] = []
    for name, m in (summary.get("measures") or {}).items():
        rows.append(
            [
                name,
                "",
                m.get("clients"),
                None if m.get("suppressed") else _value(m.get("value")),
                bool(m.get("suppressed")),
            ]
        )
        for g in m.get("groups") or []:
            value = None if g.get("suppressed") else _value(g.get("value"))
            rows.append([name, g.get("group"), g.get("clients"), value, bool(g.get("suppressed"))])
    return rows


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise WebError(422, N_("A date must look like 2026-12-31.")) from None


def _offices(db: Any) -> list[tuple[str, str]]:
    ids = set(db.scalars(select(OptionListRow.organization_id).distinct()))
    rows = db.execute(select(OrganizationRow.id, OrganizationRow.name).where(OrganizationRow.id.in_(ids)))
    return sorted(((r.id, r.name) for r in rows), key=lambda r: r[1])


def _data(request: Request, person: Any, office: str | None, since: str | None, until: str | None) -> dict[str, Any]:
    start, end = _date(since), _date(until)
    who = person.principal
    with request.app.state.freechoice.db.session() as db:
        offices = _offices(db)
        org = office or (
            who.organization_id
            if who.organization_id in dict(offices)
            else (offices[0][0] if offices else who.organization_id)
        )
        try:
            figures = call(figures_for, db, who, org, start, end)
            state = request.app.state.freechoice
            summary = call(kpis, who, db, state, org, start, end, min_group=MIN_GROUP)
        except Refused as refused:
            raise WebError(404, N_("There is no such office.")) from refused
    return {
        "figures": figures,
        "kpis": summary,
        "offices": offices,
        "office": org,
        "since": since or "",
        "until": until or "",
    }


@router.get("/web/dashboard")
def dashboard(
    request: Request, person: Manager, office: str | None = None, since: str | None = None, until: str | None = None
) -> Response:
    data = _data(request, person, office, since, until)
    t = translator(user_language(request, person))
    charts = build_charts(data["figures"], t)
    query = f"office={data['office']}&since={data['since']}&until={data['until']}"
    measures = build_measures(data["kpis"], t)
    return PAGES.render(request, "dashboard.html", {**data, "charts": charts, "measures": measures, "query": query})


@router.get("/web/dashboard/{chart_id}.csv")
def chart_csv(
    request: Request,
    chart_id: str,
    person: Manager,
    office: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Response:
    if chart_id not in (*CHART_IDS, "measures"):
        raise WebError(404, N_("There is no such chart."))
    data = _data(request, person, office, since, until)
    if chart_id == "measures":
        header, rows = ["measure", "group", "clients", "value", "suppressed"], measures_csv_rows(data["kpis"])
    else:
        chart = next(c for c in build_charts(data["figures"], translator("en")) if c.id == chart_id)
        header, rows = chart.csv_header, chart.csv_rows
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    name = f"{chart_id}-{data['office']}-{data['since'] or 'start'}-{data['until'] or 'now'}.csv"
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )
