"""The donor report (issue 12): an anonymised export for a period, as CSV or one
printable HTML page. Every export is audited."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from ..auth import Principal
from ..casework import donor_export
from ..deps import DbSession, State, require_role
from ..params import IdQuery
from ..problems import ProblemError

__all__ = ["router"]

router = APIRouter(tags=["reports"])
Reader = Annotated[Principal, Depends(require_role("caseworker", "admin"))]


@router.get(
    "/reports/donor",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, "text/html": {}}, "description": "The anonymised report"}},
    summary="Anonymised donor report for a period: transfers with proofs, plans against spending, case notes",
)
def donor(
    who: Reader,
    db: DbSession,
    state: State,
    period_from: Annotated[dt.date, Query(alias="from", description="First day of the period")],
    period_to: Annotated[dt.date, Query(alias="to", description="Last day of the period")],
    format: Annotated[Literal["csv", "html"], Query(description="csv, or html (one printable page)")] = "csv",
    organization_id: IdQuery | None = None,
) -> Response:
    org = organization_id or who.organization_id
    if who.role == "caseworker" and org != who.organization_id:
        raise ProblemError(404, "no such organization")
    text = donor_export(
        db, who, org, period_from, period_to, state.programme, fmt=format, today=dt.datetime.now(dt.UTC).date()
    )
    media = "text/csv; charset=utf-8" if format == "csv" else "text/html; charset=utf-8"
    name = f"donor-report-{period_from}-{period_to}.{format}"
    return Response(text, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})
