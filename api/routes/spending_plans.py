"""The client's spending plan (issue 12): their own plan against their ranked needs,
editable any time (each save is a new version), never more than what was paid plus
what is still due."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from freechoice.catalog.db import write_transaction

from ..auth import Principal
from ..casework import plan_history, save_plan
from ..casework_schemas import PlanHistory, SpendingPlanRecord
from ..deps import DbSession, require_role
from ..params import ClientRefPath

__all__ = ["router"]

router = APIRouter(tags=["spending-plans"])
Caseworker = Annotated[Principal, Depends(require_role("caseworker"))]


class PlanLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    need: str = Field(max_length=64, description="One of the client's ranked needs")
    amount: str = Field(max_length=32, description="Exact, as a string: '6000.00'")
    note: str | None = Field(default=None, max_length=500, description="In the client's language")


class PlanSave(BaseModel):
    """The whole plan as it stands now (it replaces the latest version; all are kept)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "lines": [
                        {"need": "housing", "amount": "20000.00", "note": "ห้อง"},
                        {"need": "employment", "amount": "7000.00"},
                    ],
                    "language": "th",
                }
            ]
        },
    )
    lines: list[PlanLineIn] = Field(max_length=21)
    language: str | None = Field(default=None, max_length=16, description="The language of the notes (the client's)")


@router.put(
    "/clients/{client_ref}/spending-plan",
    response_model=None,
    responses={200: {"model": SpendingPlanRecord, "description": "The new version"}},
    summary="Save a new version of the client's spending plan",
)
def put_plan(client_ref: ClientRefPath, body: PlanSave, who: Caseworker, db: DbSession) -> dict[str, Any]:
    raw = body.model_dump()
    raw["lines"] = [{k: v for k, v in line.items() if v is not None} for line in raw["lines"]]
    with write_transaction(db):
        return save_plan(db, who, client_ref, raw)


@router.get(
    "/clients/{client_ref}/spending-plan",
    response_model=None,
    responses={200: {"model": SpendingPlanRecord, "description": "The latest version"}},
    summary="The client's spending plan (latest version)",
)
def get_plan(client_ref: ClientRefPath, who: Caseworker, db: DbSession) -> dict[str, Any]:
    return plan_history(db, who, client_ref, latest=True)["versions"][0]


@router.get(
    "/clients/{client_ref}/spending-plan/history",
    response_model=None,
    responses={200: {"model": PlanHistory, "description": "Oldest first"}},
    summary="Every version of the client's spending plan",
)
def get_history(client_ref: ClientRefPath, who: Caseworker, db: DbSession) -> dict[str, Any]:
    return plan_history(db, who, client_ref)
