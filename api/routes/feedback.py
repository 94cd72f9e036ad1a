"""Client feedback and KPIs: programmes judged by what clients say."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from freechoice.catalog.db.tables import ChoiceRow, FeedbackRow, OptionListRow, ReferralEvent, ReferralRow, ServiceRow
from freechoice.engine.kpis import compute_kpis

from ..auth import Principal
from ..deps import DbSession, State, require_role
from ..params import IdQuery
from ..problems import ProblemError
from ..records import audit, create_once

__all__ = ["router"]

router = APIRouter(tags=["feedback"])
Caseworker = Annotated[Principal, Depends(require_role("caseworker"))]
Reader = Annotated[Principal, Depends(require_role("caseworker", "admin"))]


class FeedbackCreate(BaseModel):
    """The client's own view after a referral. Nothing identifying is needed: the
    referral (or just the service) is optional."""

    model_config = ConfigDict(extra="forbid")
    referral_id: str | None = Field(default=None, max_length=64)
    service_id: str | None = Field(default=None, max_length=128)
    need_met: Literal["yes", "partly", "no"]
    satisfaction: int = Field(ge=1, le=5, strict=True)
    would_recommend: bool | None = None
    text: str | None = Field(default=None, max_length=4000)


@router.post("/feedback", status_code=201, summary="Record a client's feedback (caseworker)")
def create_feedback(body: FeedbackCreate, request: Request, who: Caseworker, db: DbSession, state: State):
    def create():
        service_id, provider_id, kinds = body.service_id, None, []
        if body.referral_id:
            ref = db.get(ReferralRow, body.referral_id)
            if ref is None or ref.organization_id != who.organization_id:
                raise ProblemError(404, "no such referral")
            service_id, provider_id, kinds = ref.service_id, ref.provider_id, ref.kinds
        elif service_id:
            svc = db.get(ServiceRow, service_id)
            if svc is None:
                raise ProblemError(422, "unknown service", errors=[{"field": "service_id", "message": "no such service"}])
            provider_id, kinds = svc.organization_id, svc.data.get("kinds", [])
        fid = "fb-" + uuid.uuid4().hex
        db.add(FeedbackRow(id=fid, referral_id=body.referral_id, organization_id=who.organization_id, provider_id=provider_id,
                           service_id=service_id, kinds=kinds, need_met=body.need_met, satisfaction=body.satisfaction,
                           would_recommend=body.would_recommend, text=body.text))
        audit(db, who, "create", "feedback", fid)
        return 201, {"id": fid, **body.model_dump(), "provider_id": provider_id, "kinds": kinds}

    response = create_once(request, db, who, create)
    state.invalidate_quality()
    return response


@router.get("/kpis", tags=["kpis"], summary="KPIs for an organisation and period")
def kpis(who: Reader, db: DbSession, organization_id: IdQuery | None = None,
         since: dt.date | None = None, until: dt.date | None = None) -> dict[str, Any]:
    org = organization_id or who.organization_id
    if who.role == "caseworker" and org != who.organization_id:
        raise ProblemError(404, "no such organization")
    # whole days in UTC; the calendar's last day has no next one, so it is an open end
    start = dt.datetime.combine(since or dt.date.min, dt.time(), tzinfo=dt.timezone.utc)
    end = dt.datetime.combine(until, dt.time.max, tzinfo=dt.timezone.utc) if until else dt.datetime.max.replace(
        tzinfo=dt.timezone.utc)
    # columns only, never the stored lists: every read below is an indexed range of one
    # organisation and period, joined in the database
    in_period = (OptionListRow.organization_id == org, OptionListRow.created_at >= start, OptionListRow.created_at <= end)
    lists = db.execute(select(OptionListRow.id, OptionListRow.priority_4_needs, OptionListRow.priority_4_with_option)
                       .where(*in_period)).all()
    choices = db.execute(select(ChoiceRow.id, ChoiceRow.option_list_id, ChoiceRow.decision, ChoiceRow.created_at)
                         .join(OptionListRow, ChoiceRow.option_list_id == OptionListRow.id).where(*in_period)).all()
    refs = db.execute(select(ReferralRow.id, ReferralRow.choice_id, ReferralRow.status)
                      .join(OptionListRow, ReferralRow.option_list_id == OptionListRow.id).where(*in_period)).all()
    events = db.execute(select(ReferralEvent.referral_id, ReferralEvent.to_status, ReferralEvent.reason, ReferralEvent.at)
                        .join(ReferralRow, ReferralEvent.referral_id == ReferralRow.id)
                        .join(OptionListRow, ReferralRow.option_list_id == OptionListRow.id)
                        .where(*in_period, ReferralEvent.to_status.in_(("in_progress", "declined", "closed")))).all()
    fb = db.execute(select(FeedbackRow.satisfaction, FeedbackRow.need_met, FeedbackRow.kinds, FeedbackRow.provider_id,
                           FeedbackRow.service_id)
                    .where(FeedbackRow.organization_id == org, FeedbackRow.created_at >= start,
                           FeedbackRow.created_at <= end)).all()

    def utc(t: dt.datetime) -> dt.datetime:
        return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)

    result = compute_kpis(
        [{"id": r.id, "priority_4_needs": r.priority_4_needs or 0, "priority_4_with_option": r.priority_4_with_option or 0}
         for r in lists],
        [{"id": c.id, "option_list_id": c.option_list_id, "decision": c.decision, "created_at": utc(c.created_at)} for c in choices],
        [{"id": r.id, "choice_id": r.choice_id, "status": r.status} for r in refs],
        [{"referral_id": e.referral_id, "to": e.to_status, "reason": e.reason, "at": utc(e.at)} for e in events],
        [{"satisfaction": f.satisfaction, "need_met": f.need_met, "kinds": f.kinds, "provider_id": f.provider_id,
          "service_id": f.service_id} for f in fb],
    )
    return {"organization_id": org, "since": since, "until": until, **result}
