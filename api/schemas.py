"""Response schemas for the OpenAPI document: the resources as the server sends them.

The engine's and catalog's own models are reused where the body is one of them
(``OptionList``, ``Organization``, ``Service``); the routes still send their stored JSON
as it is (an option list byte for byte), and the fuzz test checks that every response
fits the schema named here."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from freechoice.catalog import Service
from freechoice.engine import Choice, ReferralDraft

__all__ = [
    "ChoiceCreated",
    "ChoiceRecord",
    "ChosenReferral",
    "KeyCreated",
    "OptionListSummary",
    "Referral",
    "ReferralEvent",
    "ServiceRecord",
]

_TIME = "RFC 3339, with offset"


class OptionListSummary(BaseModel):
    """An option list in a list of them (the options: ``GET /option-lists/{id}``)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "ol-5cb41220d1b844c1834ffe408c1bf1e0",
                    "client_ref": "c-api-1",
                    "created_at": "2026-12-02T09:38:48+00:00",
                    "rules_version": "2026.11",
                    "catalog_version": "sample-7",
                }
            ]
        }
    )
    id: str
    client_ref: str
    created_at: str = Field(description=_TIME, json_schema_extra={"format": "date-time"})
    rules_version: str
    catalog_version: str


class ChosenReferral(ReferralDraft):
    """A referral draft made from the choice, with its id."""

    id: str


class ChoiceCreated(Choice):
    """The recorded choice, with the referral drafts it made."""

    id: str
    referrals: list[ChosenReferral] = Field(default_factory=list)  # type: ignore[assignment]


class ChoiceRecord(Choice):
    """A recorded choice, with the ids of its referrals."""

    id: str
    referral_ids: list[str]
    created_at: str = Field(description=_TIME, json_schema_extra={"format": "date-time"})


class ReferralEvent(BaseModel):
    from_: str | None = Field(alias="from", description="The status before (none for the first event)")
    to: str
    reason: str | None = None
    at: str = Field(description=_TIME, json_schema_extra={"format": "date-time"})


class Referral(BaseModel):
    """A referral as its caller may see it: partners see only the consented fields of
    ``client`` and none of ``choice_id``, ``option_list_id``, ``priority``."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "rf-fd1a23fd3c054f22be4f6a785436c903",
                    "status": "sent",
                    "service_id": "svc-legal-1",
                    "provider_id": "org-andaman-wage-justice",
                    "need": "compensation",
                    "kinds": ["legal_aid.wage_claim"],
                    "client": {"client_ref": "c-api-1", "need": "compensation"},
                    "allowed_transitions": ["closed"],
                    "history": [
                        {"from": None, "to": "draft", "reason": None, "at": "2026-12-02T09:38:48+00:00"},
                        {"from": "draft", "to": "sent", "reason": None, "at": "2026-12-02T09:39:02+00:00"},
                    ],
                    "created_at": "2026-12-02T09:38:48+00:00",
                    "updated_at": "2026-12-02T09:39:02+00:00",
                }
            ]
        }
    )
    id: str
    status: str
    service_id: str
    provider_id: str
    need: str
    kinds: list[str]
    client: dict[str, Any] = Field(description="The fields the client consented to share with the provider")
    allowed_transitions: list[str] = Field(description="The moves the caller may make now")
    history: list[ReferralEvent]
    created_at: str = Field(description=_TIME, json_schema_extra={"format": "date-time"})
    updated_at: str = Field(description=_TIME, json_schema_extra={"format": "date-time"})
    choice_id: str | None = Field(default=None, description="Caseworkers only")
    option_list_id: str | None = Field(default=None, description="Caseworkers only")
    priority: int | None = Field(default=None, description="Caseworkers only")


class ServiceRecord(Service):
    """A stored service with its version (the ETag) and who changed it last."""

    version: int
    updated_at: str | None = Field(default=None, description=_TIME, json_schema_extra={"format": "date-time"})
    updated_by: str | None = None


class KeyCreated(BaseModel):
    """A new API key: ``key`` is shown this once."""

    id: str
    key: str = Field(description="fc_<id>_<secret>: send it as `Authorization: Bearer <key>`")
    organization_id: str
    role: str
    note: str
