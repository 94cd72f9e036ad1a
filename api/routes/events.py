"""The event feed: every referral status change the caller may see, in order, for
systems that pull instead of receiving webhooks (``GET /events?after=<last id seen>``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from freechoice.catalog.db.tables import ReferralEvent, ReferralRow

from ..auth import Principal
from ..deps import DbSession, require_role
from ..pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, link_header
from ..records import audited_read
from ..responses import FastJSONResponse
from ..webhooks.outbox import event_body

__all__ = ["Event", "EventPage", "router"]

router = APIRouter(tags=["events"])
Party = Annotated[Principal, Depends(require_role("caseworker", "partner"))]


class Event(BaseModel):
    id: int = Field(description="Increasing: pass the last one you processed as `after`")
    type: str = Field(description="`referral.status_changed`")
    referral_id: str
    from_: str | None = Field(alias="from", description="The status before (none when the referral was made)")
    to: str
    reason: str | None = None
    at: str = Field(description="RFC 3339, with offset", json_schema_extra={"format": "date-time"})


class EventPage(Page[Event]):
    """The feed's page: the list envelope, whose ``next`` is never null (a feed goes on)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "id": 42,
                            "type": "referral.status_changed",
                            "referral_id": "rf-fd1a23fd3c054f22be4f6a785436c903",
                            "from": "draft",
                            "to": "sent",
                            "reason": None,
                            "at": "2026-12-02T09:39:02+00:00",
                        }
                    ],
                    "next": "/events?after=42&limit=100",
                }
            ]
        }
    )
    next: str = Field(description="The following page's URL: poll it again later when `items` is empty")


@router.get(
    "/events",
    response_model=None,
    responses={
        200: {
            "model": EventPage,
            "description": "Oldest first",
            "headers": link_header(),
        }
    },
    summary="Referral changes after an event id (caseworker: your organisation's; partner: sent to you)",
)
def list_events(
    request: Request,
    who: Party,
    db: DbSession,
    after: Annotated[int, Query(ge=0, le=2**62, description="The last event id you processed (0: from the start)")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page (1-{MAX_LIMIT}).")] = DEFAULT_LIMIT,
) -> FastJSONResponse:
    q = (
        select(ReferralEvent)
        .join(ReferralRow, ReferralRow.id == ReferralEvent.referral_id)
        .where(ReferralEvent.id > after)
        .order_by(ReferralEvent.id)
        .limit(limit)
    )
    if who.role == "caseworker":
        q = q.where(ReferralRow.organization_id == who.organization_id)
    else:  # a partner sees a referral from when it was sent, never its draft stage
        q = q.where(ReferralRow.provider_id == who.organization_id, ReferralEvent.to_status != "draft")
    events = list(db.scalars(q))
    items: list[dict[str, Any]] = [event_body(e) for e in events]
    audited_read(db, who, "event", None, None, listed=len(items))
    last = items[-1]["id"] if items else after
    next_url = f"/events?after={last}&limit={limit}"
    return FastJSONResponse({"items": items, "next": next_url}, headers={"Link": f'<{next_url}>; rel="next"'})
