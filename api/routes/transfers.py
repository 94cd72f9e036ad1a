"""Cash transfers (issue 12): a client's schedule, payments against it, and the
organisation's board of transfers due, paid, late or missed. Amounts are exact
decimals, sent and returned as strings."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from ..auth import Principal
from ..casework import client_transfers, create_schedule, record_payment, transfers_board
from ..casework_schemas import ClientTransfers, TransferBoard, TransferRecord, TransferSchedule
from ..deps import DbSession, State, require_role
from ..params import ClientRefPath, PathId
from ..records import create_once

__all__ = ["AsOf", "Caseworker", "router", "today"]

router = APIRouter(tags=["transfers"])
Caseworker = Annotated[Principal, Depends(require_role("caseworker"))]
AsOf = Annotated[
    dt.date | None,
    Query(description="The day statuses are computed for (default: today, UTC)"),
]
Amount = Annotated[str, Field(max_length=32, pattern=r"^\d{1,12}(\.\d{1,2})?$", description="Exact, e.g. '9000.00'")]
MethodName = Literal["bank", "mobile_money", "cash_in_hand"]


def today(as_of: dt.date | None = None) -> dt.date:
    return as_of or dt.datetime.now(dt.UTC).date()


class ScheduleCreate(BaseModel):
    """Make a client's schedule from their cash choice; anything left out comes from the programme."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"start_on": "2026-12-02", "transfers": 3, "method": "mobile_money"}]},
    )
    choice_id: str | None = Field(default=None, max_length=64, description="Default: the client's latest cash choice")
    start_on: dt.date | None = Field(default=None, description="The first transfer's date (default: the choice's)")
    transfers: int | None = Field(default=None, ge=1, le=24)
    amount: Amount | None = None
    currency: str | None = Field(default=None, min_length=3, max_length=3, pattern=r"^[A-Z]{3}$")
    method: MethodName | None = None


class PaymentCreate(BaseModel):
    """A payment made: when, how much, how, and its proof."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"paid_on": "2026-12-02", "amount": "9000.00", "method": "mobile_money", "reference": "MM-778812"}
            ]
        },
    )
    paid_on: dt.date
    amount: Amount
    method: MethodName | None = Field(default=None, description="Default: the transfer's method")
    reference: str = Field(
        min_length=1, max_length=128, description="The proof: bank, mobile money or receipt reference"
    )


@router.post(
    "/clients/{client_ref}/transfers",
    status_code=201,
    response_model=None,
    responses={201: {"model": TransferSchedule, "description": "The schedule"}},
    summary="Make the client's transfer schedule from their cash choice (caseworker)",
)
def make_transfers(
    client_ref: ClientRefPath, body: ScheduleCreate, request: Request, who: Caseworker, db: DbSession, state: State
):
    def create() -> tuple[int, Any]:
        rows = create_schedule(db, who, client_ref, state.programme, body.model_dump(exclude_none=True), today=today())
        return 201, {"id": client_ref, "client_ref": client_ref, "transfers": rows}

    return create_once(request, db, who, create, location=lambda ref: f"/clients/{ref}/transfers")


@router.get(
    "/clients/{client_ref}/transfers",
    response_model=None,
    responses={200: {"model": ClientTransfers, "description": "The transfers, paid and due"}},
    summary="A client's transfers, each due, paid, late or missed",
)
def get_transfers(
    client_ref: ClientRefPath, who: Caseworker, db: DbSession, state: State, as_of: AsOf = None
) -> dict[str, Any]:
    return client_transfers(db, who, client_ref, state.programme, today=today(as_of))


@router.post(
    "/transfers/{transfer_id}/payments",
    status_code=201,
    response_model=None,
    responses={201: {"model": TransferRecord, "description": "The transfer, paid"}},
    summary="Record the payment of a transfer, with its proof (a transfer is paid once)",
)
def pay(transfer_id: PathId, body: PaymentCreate, who: Caseworker, db: DbSession, state: State) -> dict[str, Any]:
    return record_payment(db, who, transfer_id, body.model_dump(exclude_none=True), state.programme, today=today())


@router.get(
    "/transfers",
    response_model=None,
    responses={200: {"model": TransferBoard, "description": "Oldest first"}},
    summary="The organisation's transfers due by a day, with their status (the board)",
)
def board(
    who: Caseworker,
    db: DbSession,
    state: State,
    as_of: AsOf = None,
    status: Annotated[list[Literal["due", "paid", "late", "missed"]] | None, Query(max_length=4)] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> dict[str, Any]:
    return transfers_board(db, who, state.programme, today=today(as_of), statuses=status or (), limit=limit)
