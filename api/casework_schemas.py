"""Response schemas of the cash-plus routes (issue 12), for the OpenAPI document.
Money is a string with two decimal places (exact; never a JSON number)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from freechoice.engine.casework import DueFollowUp, FollowUp, JourneyStep

__all__ = [
    "ClientTransfers",
    "DueFollowUpRecord",
    "FollowUpList",
    "FollowUpRecord",
    "FollowUpsDue",
    "Journey",
    "Money",
    "PlanHistory",
    "SpendingPlanRecord",
    "TransferBoard",
    "TransferRecord",
    "TransferSchedule",
]

Money = Annotated[str, Field(pattern=r"^\d{1,16}\.\d{2}$", description="Exact amount, two decimal places")]
_METHOD = Literal["bank", "mobile_money", "cash_in_hand"]


def _example(example: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [example]})


_PAYMENT = {
    "id": "pay-0d9a6e",
    "paid_on": "2026-12-02",
    "amount": "9000.00",
    "method": "mobile_money",
    "reference": "MM-778812",
    "recorded_by": "a1b2c3d4e5f6",
}
_TRANSFER = {
    "id": "tr-5c1f0e",
    "client_ref": "c-api-1",
    "number": 1,
    "due_on": "2026-12-02",
    "amount": "9000.00",
    "currency": "THB",
    "method": "bank",
    "payment": _PAYMENT,
    "status": "paid",
    "days_overdue": 0,
}


class PaymentRecord(BaseModel):
    id: str
    paid_on: dt.date
    amount: Money
    method: _METHOD
    reference: str = Field(description="The proof of payment")
    recorded_by: str = Field(description="The key that recorded it")


class TransferRecord(BaseModel):
    """One scheduled transfer with its payment (if any) and its status on the day asked."""

    model_config = _example(_TRANSFER)
    id: str
    client_ref: str
    number: int = Field(ge=1)
    due_on: dt.date
    amount: Money
    currency: str
    method: _METHOD
    payment: PaymentRecord | None
    status: Literal["due", "paid", "late", "missed"]
    days_overdue: int = Field(ge=0)


class TransferSchedule(BaseModel):
    """The schedule just made."""

    model_config = _example(
        {"id": "c-api-1", "client_ref": "c-api-1", "transfers": [_TRANSFER | {"payment": None, "status": "due"}]}
    )
    id: str = Field(description="The client reference (the schedule is the client's)")
    client_ref: str
    transfers: list[TransferRecord]


class ClientTransfers(BaseModel):
    """A client's transfers, what was paid and what is still due."""

    model_config = _example(
        {
            "client_ref": "c-api-1",
            "as_of": "2026-12-02",
            "currency": "THB",
            "paid": "9000.00",
            "due": "18000.00",
            "transfers": [_TRANSFER],
        }
    )
    client_ref: str
    as_of: dt.date
    currency: str
    paid: Money
    due: Money
    transfers: list[TransferRecord]


class TransferBoard(BaseModel):
    """The organisation's transfers due by the day asked, oldest first."""

    model_config = _example({"as_of": "2026-12-02", "items": [_TRANSFER]})
    as_of: dt.date
    items: list[TransferRecord]


class PlanLineRecord(BaseModel):
    need: str
    amount: Money
    note: str | None = None


_PLAN = {
    "client_ref": "c-api-1",
    "version": 2,
    "lines": [{"need": "housing", "amount": "20000.00", "note": "ห้อง"}],
    "language": "th",
    "total": "20000.00",
    "currency": "THB",
    "created_at": "2026-12-02T09:38:48+00:00",
    "created_by": "a1b2c3d4e5f6",
}


class SpendingPlanRecord(BaseModel):
    """One version of the client's spending plan (``limit``: what was paid plus what is
    due when it was saved)."""

    model_config = _example(_PLAN | {"limit": "27000.00"})
    client_ref: str
    version: int = Field(ge=1)
    lines: list[PlanLineRecord]
    language: str | None
    total: Money
    currency: str
    created_at: str = Field(json_schema_extra={"format": "date-time"})
    created_by: str
    limit: Money | None = None


class PlanHistory(BaseModel):
    """Every version of the client's plan, oldest first."""

    model_config = _example({"client_ref": "c-api-1", "versions": [_PLAN]})
    client_ref: str
    versions: list[SpendingPlanRecord]


_FOLLOW_UP = {
    "id": "fu-77aa",
    "client_ref": "c-api-1",
    "assessment_id": None,
    "on": "2027-01-02",
    "spent": {"housing": "4000.00"},
    "outcomes": {"housing": "partly"},
    "referral_outcomes": [],
    "needs": None,
    "words": "The room is fine.",
    "note": None,
    "satisfaction": 4,
    "would_recommend": True,
    "dropped_out": False,
}


class FollowUpRecord(FollowUp):
    """A recorded follow-up (``assessment_id``: the new assessment a re-ranking made)."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra={"examples": [_FOLLOW_UP]})
    id: str
    client_ref: str
    assessment_id: str | None


class FollowUpList(BaseModel):
    """The client's follow-ups, oldest first."""

    model_config = _example({"client_ref": "c-api-1", "items": [_FOLLOW_UP]})
    client_ref: str
    items: list[FollowUpRecord]


class DueFollowUpRecord(DueFollowUp):
    model_config = ConfigDict(extra="forbid", frozen=True)
    client_ref: str


class FollowUpsDue(BaseModel):
    """Follow-ups due or overdue across the organisation, oldest first."""

    model_config = _example(
        {
            "as_of": "2027-03-02",
            "items": [{"client_ref": "c-api-1", "month": 3, "due_on": "2027-03-02", "status": "due", "done_on": None}],
        }
    )
    as_of: dt.date
    items: list[DueFollowUpRecord]


class Journey(BaseModel):
    """How the client's priorities and outcomes changed: step 0 is the first assessment."""

    model_config = _example(
        {
            "client_ref": "c-api-1",
            "started_on": "2026-12-02",
            "first_assessment_id": "as-1f2e",
            "steps": [
                {
                    "on": "2026-12-02",
                    "step": 0,
                    "needs": {"housing": 4, "employment": 3},
                    "top_needs": ["housing"],
                    "re_ranked": False,
                    "outcomes": {},
                    "spent_so_far": {},
                    "top_needs_met": 0,
                    "satisfaction": None,
                    "dropped_out": False,
                }
            ],
            "follow_ups_planned": [{"month": 1, "due_on": "2027-01-02", "status": "upcoming", "done_on": None}],
        }
    )
    client_ref: str
    started_on: dt.date
    first_assessment_id: str
    steps: list[JourneyStep]
    follow_ups_planned: list[DueFollowUp]
