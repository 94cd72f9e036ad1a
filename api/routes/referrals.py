"""Referrals: the caseworker's side sends and closes; the receiving partner accepts,
declines, starts and completes. Partners see only the fields the client consented to."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from starlette.responses import Response

from freechoice.catalog.db import write_transaction
from freechoice.catalog.db.tables import OrganizationRow, ReferralEvent, ReferralRow, ServiceRow
from freechoice.engine.referrals import STATUSES, Status, allowed_transitions, check_transition

from ..auth import Principal
from ..deps import DbSession, require_role
from ..pagination import PageRequest, Paging, page_of
from ..params import Moment, PathId
from ..problems import ProblemError
from ..records import audit, audited_read
from ..schemas import Referral
from ..times import rfc3339
from ..webhooks.outbox import record_referral_event

__all__ = ["router"]

router = APIRouter(tags=["referrals"])
Party = Annotated[Principal, Depends(require_role("caseworker", "partner"))]
REFERRALS = Paging("referrals", keys=(dt.datetime, str))


class TransitionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: str = Field(max_length=32, description=f"One of {', '.join(STATUSES)}")
    reason: str | None = Field(default=None, max_length=2000)


def _side(who: Principal) -> str:
    return "partner" if who.role == "partner" else "caseworker"


def _visible(row: ReferralRow | None, who: Principal) -> ReferralRow:
    if row is not None:
        if who.role == "caseworker" and row.organization_id == who.organization_id:
            return row
        if who.role == "partner" and row.provider_id == who.organization_id and row.status != "draft":
            return row
    raise ProblemError(404, "no such referral")


def _event(e: ReferralEvent) -> dict[str, Any]:
    return {"from": e.from_status or None, "to": e.to_status, "reason": e.reason, "at": rfc3339(e.at)}


def _histories(db: Any, ref_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The histories of several referrals, in one query."""
    out: dict[str, list[dict[str, Any]]] = {r: [] for r in ref_ids}
    if ref_ids:
        q = select(ReferralEvent).where(ReferralEvent.referral_id.in_(ref_ids)).order_by(ReferralEvent.id)
        for e in db.scalars(q):
            out[e.referral_id].append(_event(e))
    return out


def _public(db: Any, row: ReferralRow, who: Principal, history: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    body = {
        "id": row.id,
        "status": row.status,
        "service_id": row.service_id,
        "provider_id": row.provider_id,
        "need": row.need,
        "kinds": row.kinds,
        "client": row.shared,
        "allowed_transitions": allowed_transitions(row.status, _side(who)),
        "history": _histories(db, [row.id])[row.id] if history is None else history,
        "created_at": rfc3339(row.created_at),
        "updated_at": rfc3339(row.updated_at),
    }
    if who.role == "caseworker":
        body.update({"choice_id": row.choice_id, "option_list_id": row.option_list_id, "priority": row.priority})
    return body


@router.get(
    "/referrals",
    response_model=None,
    responses=page_of(Referral, "Oldest first"),
    summary="Referrals: your organisation's (caseworker) or the ones sent to you (partner)",
)
def list_referrals(
    who: Party,
    db: DbSession,
    page: Annotated[PageRequest, Depends(REFERRALS.dependency)],
    status: Annotated[Status | None, Query(description="Only referrals in this status")] = None,
    modified_since: Annotated[
        Moment | None, Query(description="Only referrals changed at or after this time (RFC 3339; without offset: UTC)")
    ] = None,
) -> Response:
    q = select(ReferralRow)
    if who.role == "caseworker":
        q = q.where(ReferralRow.organization_id == who.organization_id)
    else:
        q = q.where(ReferralRow.provider_id == who.organization_id, ReferralRow.status != "draft")
    if status:
        q = q.where(ReferralRow.status == status)
    if modified_since is not None:
        q = q.where(ReferralRow.updated_at >= modified_since)
    rows = list(db.scalars(page.apply(q, ReferralRow.created_at, ReferralRow.id)))
    histories = _histories(db, [r.id for r in rows[: page.limit]])  # one query for the whole page
    response = page.respond(
        rows, key=lambda r: (r.created_at, r.id), item=lambda r: _public(db, r, who, histories[r.id])
    )
    audited_read(db, who, "referral", None, None, listed=min(len(rows), page.limit))
    return response


@router.get(
    "/referrals/{ref_id}",
    response_model=None,
    responses={200: {"model": Referral, "description": "The referral"}},
    summary="One referral",
)
def get_referral(ref_id: PathId, who: Party, db: DbSession) -> dict[str, Any]:
    row = _visible(db.get(ReferralRow, ref_id), who)
    body = _public(db, row, who)
    audited_read(db, who, "referral", ref_id, row.shared.get("client_ref"))
    return body


def _still_offered(db: Any, row: ReferralRow) -> None:
    """A draft is not sent to a partner who is gone (409 naming the service and why):
    its organisation deactivated, or the service no longer active."""
    found = db.execute(
        select(ServiceRow.status, OrganizationRow.deactivated_at)
        .join(OrganizationRow, OrganizationRow.id == ServiceRow.organization_id)
        .where(ServiceRow.id == row.service_id)
        .with_for_update(read=True)
    ).first()
    if found is None:
        why = "is no longer in the catalog"
    elif found[1] is not None:
        why = f"is no longer offered: its organisation {row.provider_id!r} is no longer active"
    elif found[0] != "active":
        why = "is no longer offered: the service is no longer active"
    else:
        return
    raise ProblemError(
        409,
        f"referral {row.id!r} cannot be sent: service {row.service_id!r} {why}; "
        "close it (with a reason) and choose another option with the client",
        allowed=["closed"],
    )


@router.post(
    "/referrals/{ref_id}/transitions",
    response_model=None,
    responses={200: {"model": Referral, "description": "The referral after the move"}},
    summary="Move a referral on (409 names the allowed moves; a draft to a service no longer offered is not sent)",
)
def transition(ref_id: PathId, body: TransitionCreate, who: Party, db: DbSession) -> dict[str, Any]:
    with write_transaction(db):
        row = _visible(db.get(ReferralRow, ref_id, with_for_update=True), who)
        check_transition(row.status, body.to, _side(who), body.reason)
        if body.to == "sent":
            _still_offered(db, row)
        # the history row and its webhook deliveries, in this transaction
        record_referral_event(db, row, from_status=row.status, to_status=body.to, reason=body.reason, actor=who.key_id)
        row.status, row.updated_at, row.version = body.to, dt.datetime.now(dt.UTC), row.version + 1
        audit(db, who, "transition", "referral", ref_id, row.shared.get("client_ref"), to=body.to)
    return _public(db, row, who)
