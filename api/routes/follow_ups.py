"""Follow-ups and the client's journey (issue 12)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from freechoice.engine.casework import FollowUp

from ..auth import Principal
from ..casework import add_follow_up, client_follow_ups, client_journey, due_follow_ups
from ..casework_schemas import FollowUpList, FollowUpRecord, FollowUpsDue, Journey
from ..deps import DbSession, State, require_role
from ..params import ClientRefPath
from ..records import create_once

__all__ = ["router"]

router = APIRouter(tags=["follow-ups"])
Caseworker = Annotated[Principal, Depends(require_role("caseworker"))]
AsOf = Annotated[dt.date | None, Query(description="The day to compute for (default: today, UTC)")]


def _today(as_of: dt.date | None) -> dt.date:
    return as_of or dt.datetime.now(dt.UTC).date()


@router.post(
    "/clients/{client_ref}/follow-ups",
    status_code=201,
    response_model=None,
    responses={201: {"model": FollowUpRecord, "description": "The follow-up"}},
    summary="Record a follow-up with the client",
)
def post_follow_up(client_ref: ClientRefPath, body: FollowUp, request: Request, who: Caseworker, db: DbSession):
    def create() -> tuple[int, Any]:
        return 201, add_follow_up(db, who, client_ref, body)

    return create_once(request, db, who, create, location=lambda _id: f"/clients/{client_ref}/follow-ups")


@router.get(
    "/clients/{client_ref}/follow-ups",
    response_model=None,
    responses={200: {"model": FollowUpList, "description": "Oldest first"}},
    summary="The client's follow-ups, oldest first",
)
def list_follow_ups(client_ref: ClientRefPath, who: Caseworker, db: DbSession) -> dict[str, Any]:
    return client_follow_ups(db, who, client_ref)


@router.get(
    "/follow-ups/due",
    response_model=None,
    responses={200: {"model": FollowUpsDue, "description": "Oldest first"}},
    summary="Follow-ups due or overdue across the organisation",
)
def due(who: Caseworker, db: DbSession, state: State, as_of: AsOf = None, upcoming: bool = False) -> dict[str, Any]:
    return due_follow_ups(db, who, state.programme, today=_today(as_of), include_upcoming=upcoming)


@router.get(
    "/clients/{client_ref}/journey",
    response_model=None,
    responses={200: {"model": Journey, "description": "Step 0 is the first assessment"}},
    summary="How the client's priorities and outcomes changed over time",
)
def get_journey(
    client_ref: ClientRefPath, who: Caseworker, db: DbSession, state: State, as_of: AsOf = None
) -> dict[str, Any]:
    return client_journey(db, who, client_ref, state.programme, today=_today(as_of))
