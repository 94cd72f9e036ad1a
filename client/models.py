"""The shapes the client sends and receives.

Most are the ones the service itself uses (the engine's ``Assessment``, ``OptionList``
and ``Choice``; the catalog's ``Service`` and ``Organization``; the API's response
schemas), so a body is parsed by the very model that made it. The few the service
sends without a model of its own are described here."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from freechoice.api.routes.events import Event, EventPage
from freechoice.api.schemas import (
    ChoiceCreated,
    ChoiceRecord,
    ChosenReferral,
    OptionListSummary,
    Referral,
    ReferralEvent,
    ServiceRecord,
)
from freechoice.catalog import Capacity, Organization, Service
from freechoice.engine import Assessment, Choice, OptionList, ReferralDraft

__all__ = [
    "Assessment",
    "Capacity",
    "Choice",
    "ChoiceCreated",
    "ChoiceRecord",
    "ChosenReferral",
    "Event",
    "EventPage",
    "FeedbackCode",
    "FeedbackRecord",
    "Kpis",
    "MeanCount",
    "OptionList",
    "OptionListSummary",
    "Organization",
    "Referral",
    "ReferralDraft",
    "ReferralEvent",
    "Service",
    "ServiceRecord",
]

NeedMet = Literal["yes", "partly", "no"]


class FeedbackRecord(BaseModel):
    """Feedback as recorded (``POST /feedback``). ``referral_id`` is None when it was
    given with the client's feedback code: that feedback is anonymous."""

    model_config = ConfigDict(extra="allow")
    id: str
    referral_id: str | None = None
    service_id: str
    provider_id: str
    kinds: list[str] = Field(default_factory=list)
    need_met: NeedMet
    satisfaction: int
    would_recommend: bool | None = None
    text: str | None = None
    via: Literal["token", "referral"]


class FeedbackCode(BaseModel):
    """A client's single-use feedback code for a sent referral: shown once."""

    model_config = ConfigDict(extra="allow")
    referral_id: str
    token: str
    note: str = ""


class MeanCount(BaseModel):
    model_config = ConfigDict(extra="allow")
    mean: float | None = None
    n: int = 0


class HoursMedian(BaseModel):
    model_config = ConfigDict(extra="allow")
    median: float | None = None
    n: int = 0


class Dropout(BaseModel):
    model_config = ConfigDict(extra="allow")
    status: str
    reason: str
    count: int


class Kpis(BaseModel):
    """``GET /kpis``: an organisation's programme as clients saw it. Shares are None when
    there is nothing to divide."""

    model_config = ConfigDict(extra="allow")
    organization_id: str
    since: dt.date | None = None
    until: dt.date | None = None
    option_lists: int
    priority_4_needs: int
    share_priority_4_with_option: float | None = None
    share_lists_chosen_from: float | None = None
    referrals_sent: int
    share_referrals_completed: float | None = None
    hours_choice_to_first_service: HoursMedian
    satisfaction_by_kind: dict[str, MeanCount] = Field(default_factory=dict)
    satisfaction_by_provider: dict[str, MeanCount] = Field(default_factory=dict)
    need_met: dict[str, int] = Field(default_factory=dict)
    feedback_count: int
    dropouts: list[Dropout] = Field(default_factory=list)
