"""The programme dashboard's figures over HTTP (the dashboard page reads the same)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from freechoice.catalog.db.tables import FeedbackRow, OptionListRow, OrganizationRow, ReferralRow
from freechoice.catalog.taxonomy import NEED_IDS
from freechoice.engine.figures import programme_figures

from ..auth import Principal
from ..deps import DbSession, require_role
from ..params import IdQuery
from ..problems import ProblemError
from ..records import audited_read

__all__ = ["Figures", "READERS", "figures_for", "router"]

router = APIRouter(tags=["kpis"])


class NeedRanked4(BaseModel):
    need: str
    clients: int | None = Field(description="Clients who ranked it 4 (null: hidden)")
    share: float | None = Field(description="Of all clients (0-1; null: hidden)")
    with_option: int | None
    share_with_option: float | None = Field(description="Of those who ranked it 4, with a usable option")
    hidden: bool = Field(description="The group is under 5: no figure is shown")


class ByPriority(BaseModel):
    priority: int = Field(ge=1, le=4)
    needs: int = Field(ge=0)
    with_option: int | None
    share: float | None
    hidden: bool


class OutcomeCount(BaseModel):
    status: str
    count: int | None
    share: float | None


class Outcomes(BaseModel):
    referrals: int = Field(ge=0, description="Referrals sent (drafts are not an outcome)")
    hidden: bool
    by_status: list[OutcomeCount]


class MonthSatisfaction(BaseModel):
    month: str = Field(description="YYYY-MM")
    n: int = Field(ge=0)
    mean: float | None = Field(description="Mean satisfaction 1-5 (null: fewer than 5 ratings)")
    hidden: bool


class Figures(BaseModel):
    """The dashboard's figures for an office and period; a group under ``min_group`` is hidden."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "organization_id": "org-cw-a",
                    "since": "2026-11-01",
                    "until": None,
                    "min_group": 5,
                    "clients": 12,
                    "need_rank_4": [
                        {
                            "need": "employment",
                            "clients": 7,
                            "share": 0.5833,
                            "with_option": 5,
                            "share_with_option": 0.7143,
                            "hidden": False,
                        }
                    ],
                    "needs_by_priority": [
                        {"priority": 4, "needs": 40, "with_option": 36, "share": 0.9, "hidden": False},
                        {"priority": 3, "needs": 3, "with_option": None, "share": None, "hidden": True},
                    ],
                    "referral_outcomes": {
                        "referrals": 9,
                        "hidden": False,
                        "by_status": [{"status": "completed", "count": 3, "share": 0.3333}],
                    },
                    "satisfaction_by_month": [{"month": "2026-11", "n": 6, "mean": 4.17, "hidden": False}],
                }
            ]
        }
    )
    organization_id: str
    since: dt.date | None
    until: dt.date | None
    min_group: int
    clients: int = Field(ge=0, description="Clients with an option list in the period (their latest counts)")
    need_rank_4: list[NeedRanked4] = Field(description="Every need, most ranked 4 first")
    needs_by_priority: list[ByPriority]
    referral_outcomes: Outcomes
    satisfaction_by_month: list[MonthSatisfaction]


#: who reads the figures: caseworkers their own office's, the others any office's
READERS = ("caseworker", "admin", "manager")
Reader = Annotated[Principal, Depends(require_role(*READERS))]


def _bounds(since: dt.date | None, until: dt.date | None) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(since or dt.date.min, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(until, dt.time.max, tzinfo=dt.UTC) if until else dt.datetime.max.replace(tzinfo=dt.UTC)
    return start, end


def figures_for(
    db: Session, who: Principal, organization_id: str | None, since: dt.date | None, until: dt.date | None
) -> dict[str, Any]:
    """The figures of one office (organisation; default: the caller's) and period (whole
    UTC days). Caseworkers read their own office only: another answers 404. The read is
    audited (aggregates only leave it: groups under 5 are hidden)."""
    org = organization_id or who.organization_id
    if who.role == "caseworker" and org != who.organization_id:
        raise ProblemError(404, "no such organization")
    if db.get(OrganizationRow, org) is None:
        raise ProblemError(404, "no such organization")
    start, end = _bounds(since, until)
    in_period = (
        OptionListRow.organization_id == org,
        OptionListRow.created_at >= start,
        OptionListRow.created_at <= end,
    )
    lists = [
        {
            "client_ref": r.client_ref,
            "created_at": r.created_at.isoformat(),
            "needs": [
                {"need": n.get("need"), "priority": n.get("priority"), "options": n.get("options")[:1], **_status(n)}
                for n in (r.data or {}).get("needs", [])
            ],
        }
        for r in db.execute(
            select(OptionListRow.client_ref, OptionListRow.created_at, OptionListRow.data).where(*in_period)
        )
    ]
    refs = [
        {"status": s}
        for s in db.scalars(
            select(ReferralRow.status)
            .join(OptionListRow, ReferralRow.option_list_id == OptionListRow.id)
            .where(*in_period)
        )
    ]
    fb = [
        {"satisfaction": r.satisfaction, "need_met": r.need_met, "created_at": r.created_at}
        for r in db.execute(
            select(FeedbackRow.satisfaction, FeedbackRow.need_met, FeedbackRow.created_at).where(
                FeedbackRow.organization_id == org, FeedbackRow.created_at >= start, FeedbackRow.created_at <= end
            )
        )
    ]
    audited_read(db, who, "figures", org, None, since=str(since or ""), until=str(until or ""))
    return {
        "organization_id": org,
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        **programme_figures(lists, refs, fb, needs=NEED_IDS),
    }


def _status(need: dict[str, Any]) -> dict[str, Any]:
    return {"status": need["status"]} if "status" in need else {}


@router.get(
    "/kpis/figures",
    response_model=None,
    responses={200: {"model": Figures, "description": "The figures"}},
    summary="The dashboard's figures: needs ranked 4, needs with options by priority, referral outcomes, "
    "satisfaction by month (groups under 5 hidden)",
)
def get_figures(
    who: Reader,
    db: DbSession,
    organization_id: IdQuery | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> dict[str, Any]:
    return figures_for(db, who, organization_id, since, until)
