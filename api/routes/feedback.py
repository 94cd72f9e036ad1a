"""Client feedback and KPIs: programmes judged by what clients say."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from freechoice.catalog.db import write_transaction
from freechoice.catalog.db.tables import (
    ChoiceRow,
    FeedbackRow,
    FeedbackToken,
    OptionListRow,
    ReferralEvent,
    ReferralRow,
)
from freechoice.engine.feedback import hash_feedback_token, new_feedback_token
from freechoice.engine.kpis import compute_kpis

from ..auth import Principal
from ..casework import programme_measures
from ..contract import problem_responses
from ..deps import OPTIONAL_KEY, DbSession, State, own_organization, own_record, rate_limited, require_role
from ..pagination import PageRequest, Paging, page_of
from ..params import IdQuery, PathId
from ..problems import ProblemError
from ..records import audit, audited_read, create_once
from ..reports import Kpis
from ..responses import FastJSONResponse as JSONResponse
from ..schemas import FeedbackCode, FeedbackRecord
from ..times import rfc3339

__all__ = ["FeedbackCreate", "code_state", "issue_code", "record_feedback", "router"]

router = APIRouter(tags=["feedback"])
Caseworker = Annotated[Principal, Depends(require_role("caseworker"))]
Reader = Annotated[Principal, Depends(require_role("caseworker", "admin"))]
# the measures: also the programme managers (signed in to the pages), for any office
KpiReader = Annotated[Principal, Depends(require_role("caseworker", "admin", "manager"))]
FEEDBACK = Paging("feedback", keys=(dt.datetime, str), descending=True)


class FeedbackCreate(BaseModel):
    """The client's own view after a referral. It is tied to a real referral in one of
    two ways: the client's single-use feedback code (``token``; no API key needed, and
    nothing says whose feedback it is), or ``referral_id`` when a caseworker records it."""

    model_config = ConfigDict(extra="forbid")
    token: str | None = Field(
        default=None,
        max_length=68,
        pattern=r"^fbt_[A-Za-z0-9_-]{16,64}$",
        description="The feedback code the client was given with the referral",
    )
    referral_id: str | None = Field(default=None, max_length=64, description="The referral (caseworker key needed)")
    service_id: str | None = Field(default=None, max_length=128, description="Optional: must be the referral's service")
    need_met: Literal["yes", "partly", "no"]
    satisfaction: int = Field(ge=1, le=5, strict=True)
    would_recommend: bool | None = None
    text: str | None = Field(default=None, max_length=4000)


# What the person giving feedback reads (kept together for translation).
MESSAGES = {
    "no_link": "Feedback needs the feedback code the client was given with their referral (token), or the "
    "referral_id when a caseworker records it.",
    "both": "Give the feedback code (token) or referral_id, not both: the code keeps the feedback anonymous.",
    "bad_code": "This feedback code is not valid. Check it was typed exactly as given.",
    "used_code": "This feedback code has already been used: the feedback given with it is recorded.",
    "already": "Feedback for this referral is already recorded.",
    "not_service": "This is not the service of the referral.",
    "draft": "Send the referral first: a feedback code is for a referral that was sent.",
    "issued": "Give this code to the client now: it is shown only once and counts once.",
    "expired_code": "This feedback code has expired: it worked for a limited time after it was given.",
}

FEEDBACK_CODE = re.compile(r"fbt_[A-Za-z0-9_-]{16,64}")
# who the audit log names for feedback given with a client's code (no key, no person)
CLIENT_CODE = "client-code"


def _utc(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def _expired(code: FeedbackToken, now: dt.datetime) -> bool:
    return code.expires_at is not None and now >= _utc(code.expires_at)


def code_state(db: Session, token: str, now: dt.datetime | None = None) -> str:
    """What the client's feedback ``token`` can do now, without using it: ``open``,
    ``used``, ``expired`` or ``unknown`` (wrong, or the referral was erased)."""
    if not FEEDBACK_CODE.fullmatch(token):
        return "unknown"
    code = db.scalars(select(FeedbackToken).where(FeedbackToken.token_hash == hash_feedback_token(token))).first()
    if code is None:
        return "unknown"
    if code.used_at is not None:
        return "used"
    return "expired" if _expired(code, now or dt.datetime.now(dt.UTC)) else "open"


def _field(field: str, message: str, status: int = 422) -> ProblemError:
    return ProblemError(status, message, errors=[{"field": field, "message": message}])


def record_feedback(db: Session, who: Principal | None, body: FeedbackCreate) -> tuple[int, dict[str, Any]]:
    """Record ``body`` in the caller's write transaction: by the client's code (``who``
    may be None) or by referral (a caseworker of the referral's organisation). The API
    and the feedback page both call this.

    Raises ProblemError: 404 for another organisation's referral, 409 for a used code
    or feedback already recorded, 410 for an expired code, 422 for an unknown code or
    the wrong service."""
    now = dt.datetime.now(dt.UTC)
    if body.referral_id is not None:
        assert who is not None
        ref = own_record(db, ReferralRow, body.referral_id, who, "referral")
        code = db.get(FeedbackToken, ref.id, with_for_update=True)
        if code is not None and code.used_at is not None:
            raise ProblemError(409, MESSAGES["already"])
        if code is None:  # no code was issued: record that this referral's feedback is in
            db.add(
                FeedbackToken(
                    referral_id=ref.id,
                    token_hash=hash_feedback_token(new_feedback_token()),
                    organization_id=ref.organization_id,
                    used_at=now,
                )
            )
        else:  # the client's code, if they have one, no longer counts
            code.used_at = now
        via, referral_id = "referral", ref.id
    else:
        code = db.scalars(
            select(FeedbackToken)
            .where(FeedbackToken.token_hash == hash_feedback_token(body.token or ""))
            .with_for_update()
        ).first()
        if code is None:
            raise _field("token", MESSAGES["bad_code"])
        if code.used_at is not None:
            raise ProblemError(409, MESSAGES["used_code"])
        if _expired(code, now):
            raise ProblemError(410, MESSAGES["expired_code"])
        code.used_at = now
        ref = db.get(ReferralRow, code.referral_id)
        assert ref is not None
        via, referral_id = "token", None  # anonymous: counted for the service, not traced to the referral
    if body.service_id is not None and body.service_id != ref.service_id:
        raise _field("service_id", MESSAGES["not_service"])
    fid = "fb-" + uuid.uuid4().hex
    db.add(
        FeedbackRow(
            id=fid,
            referral_id=referral_id,
            organization_id=ref.organization_id,
            provider_id=ref.provider_id,
            service_id=ref.service_id,
            kinds=ref.kinds,
            need_met=body.need_met,
            satisfaction=body.satisfaction,
            would_recommend=body.would_recommend,
            text=body.text,
            via=via,
        )
    )
    audit(db, who or Principal(CLIENT_CODE, ref.organization_id, "client"), "create", "feedback", fid, via=via)
    out = body.model_dump(exclude={"token"})
    out.update(
        {
            "id": fid,
            "referral_id": referral_id,
            "service_id": ref.service_id,
            "provider_id": ref.provider_id,
            "kinds": ref.kinds,
            "via": via,
        }
    )
    return 201, out


@router.post(
    "/feedback",
    status_code=201,
    openapi_extra=OPTIONAL_KEY,
    response_model=None,
    responses={
        201: {"model": FeedbackRecord, "description": "The feedback as recorded"},
        **problem_responses(403, 429),
    },
    summary="Record a client's feedback: with their feedback code (no API key needed) or a referral_id (caseworker)",
)
def create_feedback(
    body: FeedbackCreate,
    request: Request,
    who: Annotated[Principal | None, Depends(rate_limited("feedback"))],
    db: DbSession,
    state: State,
):
    if body.token is None and body.referral_id is None:
        raise _field("token", MESSAGES["no_link"])
    if body.token is not None and body.referral_id is not None:
        raise _field("token", MESSAGES["both"])
    if body.referral_id is not None:
        if who is None:
            raise ProblemError(
                401, "an API key is required to record feedback by referral_id (Authorization: Bearer <key>)"
            )
        if who.role != "caseworker":
            raise ProblemError(403, f"this needs the role caseworker; your key is {who.role}")

    def create() -> tuple[int, dict[str, Any]]:
        return record_feedback(db, who, body)

    if who is None:  # no key to scope an Idempotency-Key by; a repeated code answers 409 instead
        with write_transaction(db):
            status, out = create()
        response: Any = JSONResponse(out, status_code=status)
    else:
        response = create_once(request, db, who, create)
    state.invalidate_quality()
    return response


@router.get(
    "/feedback",
    response_model=None,
    responses=page_of(FeedbackRecord, "Newest first"),
    summary="Feedback recorded for your organisation's referrals (caseworker), or any (admin)",
)
def list_feedback(
    who: Reader,
    db: DbSession,
    page: Annotated[PageRequest, Depends(FEEDBACK.dependency)],
    organization_id: Annotated[IdQuery | None, Query(description="Admin: one organisation's")] = None,
    service_id: IdQuery | None = None,
) -> Response:
    q = select(FeedbackRow)
    organization_id = own_organization(who, organization_id)
    if organization_id is not None:
        q = q.where(FeedbackRow.organization_id == organization_id)
    if service_id is not None:
        q = q.where(FeedbackRow.service_id == service_id)
    rows = list(db.scalars(page.apply(q, FeedbackRow.created_at, FeedbackRow.id)))
    audited_read(db, who, "feedback", None, None, listed=min(len(rows), page.limit))
    return page.respond(
        rows,
        key=lambda f: (f.created_at, f.id),
        item=lambda f: {
            "id": f.id,
            "referral_id": f.referral_id,
            "service_id": f.service_id,
            "provider_id": f.provider_id,
            "kinds": f.kinds or [],
            "need_met": f.need_met,
            "satisfaction": f.satisfaction,
            "would_recommend": f.would_recommend,
            "text": f.text,
            "via": f.via or "referral",
            "created_at": rfc3339(f.created_at),
        },
    )


@router.post(
    "/referrals/{ref_id}/feedback-token",
    status_code=201,
    tags=["feedback"],
    response_model=None,
    responses={201: {"model": FeedbackCode, "description": "The code, shown once"}},
    summary="Issue the client's single-use feedback code for a sent referral (caseworker); shown once, a new "
    "one replaces an unused one",
)
def issue_feedback_token(ref_id: PathId, who: Caseworker, db: DbSession, state: State) -> dict[str, Any]:
    with write_transaction(db):
        return issue_code(db, who, ref_id, dt.timedelta(days=state.settings.feedback_code_days))


def issue_code(db: Session, who: Principal, ref_id: str, valid_for: dt.timedelta) -> dict[str, Any]:
    """Issue the client's single-use feedback code for a sent referral of ``who``'s
    organisation, in the caller's write transaction; a new code replaces an unused one.
    The code itself is returned once and only its hash is kept; it works for ``valid_for``.

    Raises ProblemError: 404 for another organisation's referral, 409 for a draft or
    when the feedback is already recorded."""
    code = new_feedback_token()
    now = dt.datetime.now(dt.UTC)
    ref = own_record(db, ReferralRow, ref_id, who, "referral")
    if ref.status == "draft":
        raise ProblemError(409, MESSAGES["draft"])
    row = db.get(FeedbackToken, ref_id, with_for_update=True)
    if row is not None and row.used_at is not None:
        raise ProblemError(409, MESSAGES["already"])
    if row is None:
        row = FeedbackToken(
            referral_id=ref_id, token_hash=hash_feedback_token(code), organization_id=ref.organization_id
        )
        db.add(row)
    row.token_hash, row.issued_at, row.expires_at = hash_feedback_token(code), now, now + valid_for
    audit(db, who, "issue", "feedback-token", ref_id)
    return {"referral_id": ref_id, "token": code, "expires_at": rfc3339(now + valid_for), "note": MESSAGES["issued"]}


@router.get(
    "/kpis",
    tags=["kpis"],
    response_model=None,
    responses={200: {"model": Kpis, "description": "The measures"}},
    summary="KPIs for an organisation and period",
)
def kpis(
    who: KpiReader,
    db: DbSession,
    state: State,
    organization_id: IdQuery | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    min_group: Annotated[
        int, Query(ge=1, le=1000, description="Hide groups of fewer clients (never below the programme's minimum)")
    ] = 1,
) -> dict[str, Any]:
    org = own_organization(who, organization_id) or who.organization_id
    # whole days in UTC; the calendar's last day has no next one, so it is an open end
    start = dt.datetime.combine(since or dt.date.min, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(until, dt.time.max, tzinfo=dt.UTC) if until else dt.datetime.max.replace(tzinfo=dt.UTC)
    # columns only, never the stored lists: every read below is an indexed range of one
    # organisation and period, joined in the database
    in_period = (
        OptionListRow.organization_id == org,
        OptionListRow.created_at >= start,
        OptionListRow.created_at <= end,
    )
    lists = db.execute(
        select(OptionListRow.id, OptionListRow.priority_4_needs, OptionListRow.priority_4_with_option).where(*in_period)
    ).all()
    choices = db.execute(
        select(ChoiceRow.id, ChoiceRow.option_list_id, ChoiceRow.decision, ChoiceRow.created_at)
        .join(OptionListRow, ChoiceRow.option_list_id == OptionListRow.id)
        .where(*in_period)
    ).all()
    refs = db.execute(
        select(ReferralRow.id, ReferralRow.choice_id, ReferralRow.status)
        .join(OptionListRow, ReferralRow.option_list_id == OptionListRow.id)
        .where(*in_period)
    ).all()
    events = db.execute(
        select(ReferralEvent.referral_id, ReferralEvent.to_status, ReferralEvent.reason, ReferralEvent.at)
        .join(ReferralRow, ReferralEvent.referral_id == ReferralRow.id)
        .join(OptionListRow, ReferralRow.option_list_id == OptionListRow.id)
        .where(*in_period, ReferralEvent.to_status.in_(("in_progress", "declined", "closed")))
    ).all()
    fb = db.execute(
        select(
            FeedbackRow.satisfaction,
            FeedbackRow.need_met,
            FeedbackRow.kinds,
            FeedbackRow.provider_id,
            FeedbackRow.service_id,
        ).where(FeedbackRow.organization_id == org, FeedbackRow.created_at >= start, FeedbackRow.created_at <= end)
    ).all()

    def utc(t: dt.datetime) -> dt.datetime:
        return t if t.tzinfo else t.replace(tzinfo=dt.UTC)

    result = compute_kpis(
        [
            {
                "id": r.id,
                "priority_4_needs": r.priority_4_needs or 0,
                "priority_4_with_option": r.priority_4_with_option or 0,
            }
            for r in lists
        ],
        [
            {"id": c.id, "option_list_id": c.option_list_id, "decision": c.decision, "created_at": utc(c.created_at)}
            for c in choices
        ],
        [{"id": r.id, "choice_id": r.choice_id, "status": r.status} for r in refs],
        [{"referral_id": e.referral_id, "to": e.to_status, "reason": e.reason, "at": utc(e.at)} for e in events],
        [
            {
                "satisfaction": f.satisfaction,
                "need_met": f.need_met,
                "kinds": f.kinds,
                "provider_id": f.provider_id,
                "service_id": f.service_id,
            }
            for f in fb
        ],
    )
    # the empowerment measures (issue 12) read client records: the read is audited
    measures = programme_measures(db, org, state.programme, since=since, until=until, min_group=min_group)
    audited_read(db, who, "kpis", None, None, organization=org, measures=len(measures))
    return {"organization_id": org, "since": since, "until": until, **result, "measures": measures}
