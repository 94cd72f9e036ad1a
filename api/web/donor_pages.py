"""The donor report page (issue 12) for programme managers: choose an office and a
period, then download the anonymised CSV or open the printable page. The export is
made by :func:`freechoice.api.casework.donor_export`, as ``GET /reports/donor`` and
``freechoice donor-report`` make it, and audited under the manager's own name; it is a
POST with the CSRF token (an export writes the audit log)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from freechoice.catalog import Problem, ValidationFailed
from freechoice.catalog.db.tables import OptionListRow, OrganizationRow

from ..casework import donor_export
from .accounts import Person
from .casework_common import errors_by_field
from .deps import PAGES, Manager

__all__ = ["router"]

router = APIRouter()


def _offices(request: Request) -> list[tuple[str, str]]:
    """The offices (organisations) that hold cases, by name."""
    with request.app.state.freechoice.db.session() as s:
        ids = set(s.scalars(select(OptionListRow.organization_id).distinct()))
        rows = s.execute(select(OrganizationRow.id, OrganizationRow.name).where(OrganizationRow.id.in_(ids)))
        return sorted(((r.id, r.name) for r in rows), key=lambda r: r[1])


def _page(request: Request, form: dict[str, str], problems: list[Problem] | None = None, status: int = 200) -> Response:
    return PAGES.render(
        request,
        "donor_report.html",
        {"offices": _offices(request), "form": form, "errors": errors_by_field(problems or [])},
        status=status,
    )


@router.get("/web/reports/donor")
def donor_form(request: Request, person: Manager) -> Response:
    today = dt.datetime.now(dt.UTC).date()
    start = today.replace(day=1) - dt.timedelta(days=1)
    form = {
        "office": person.organization_id,
        "from": start.replace(day=1).isoformat(),
        "to": start.isoformat(),
    }
    return _page(request, form)


@router.post("/web/reports/donor")
async def donor_submit(request: Request, person: Manager) -> Response:
    data = await request.form()
    form = {k: str(data.get(k) or "").strip()[:64] for k in ("office", "from", "to", "format")}
    return await run_in_threadpool(_export, request, person, form)


def _day(value: str, field: str, problems: list[Problem]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        problems.append(Problem(field, "must be a date (YYYY-MM-DD)", ["YYYY-MM-DD"], value))
        return None


def _export(request: Request, person: Person, form: dict[str, str]) -> Response:
    problems: list[Problem] = []
    start, end = _day(form["from"], "from", problems), _day(form["to"], "to", problems)
    offices = dict(_offices(request))
    office = form["office"] or person.organization_id
    if office not in offices and office != person.organization_id:
        problems.append(Problem("office", "not an office with cases", sorted(offices), office))
    if problems:
        return _page(request, form, problems, 422)
    assert start is not None and end is not None
    fmt = form["format"] if form["format"] in ("csv", "html") else "csv"
    state: Any = request.app.state.freechoice
    with state.db.session() as s:
        try:
            text = donor_export(
                s, person.principal, office, start, end, state.programme, fmt=fmt, today=dt.datetime.now(dt.UTC).date()
            )
        except ValidationFailed as err:
            return _page(request, form, err.problems, 422)
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    if fmt == "csv":
        headers["Content-Disposition"] = f'attachment; filename="donor-report-{office}-{start}-{end}.csv"'
        return Response(text, media_type="text/csv; charset=utf-8", headers=headers)
    # the printable page: its own style, nothing else may load
    headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
    return Response(text, media_type="text/html; charset=utf-8", headers=headers)
