"""The shapes the client sends and receives.

They are the ones the service itself uses (the engine's ``Assessment``, ``OptionList``
and ``Choice``; the catalog's ``Service`` and ``Organization``; the API's response
schemas), so a body is parsed by the very model that made it."""

from __future__ import annotations

from freechoice.api.reports import Kpis
from freechoice.api.routes.events import Event, EventPage
from freechoice.api.schemas import (
    ChoiceCreated,
    ChoiceRecord,
    ChosenReferral,
    FeedbackCode,
    FeedbackRecord,
    OptionListSummary,
    Referral,
    ReferralEvent,
    ServiceRecord,
)
from freechoice.catalog import Capacity, Organization, Service
from freechoice.engine import Assessment, Choice, Option, OptionList, ReferralDraft

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
    "Option",
    "OptionList",
    "OptionListSummary",
    "Organization",
    "Referral",
    "ReferralDraft",
    "ReferralEvent",
    "Service",
    "ServiceRecord",
]
