"""Response schemas for the OpenAPI document: the resources as the server sends them.

The engine's and catalog's own models are reused where the body is one of them
(``OptionList``, ``Organization``, ``Service``); the routes still send their stored JSON
as it is (an option list byte for byte), and the fuzz test checks that every response
fits the schema named here."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from freechoice.catalog import Service
from freechoice.engine import Choice, ReferralDraft

__all__ = [
    "AuditRecord",
    "ChoiceCreated",
    "ChoiceRecord",
    "ChosenReferral",
    "FeedbackCode",
    "FeedbackRecord",
    "KeyCreated",
    "KeyPublic",
    "OptionListSummary",
    "OrganizationStatus",
    "Referral",
    "ReferralEvent",
    "RuleVersion",
    "ServiceRecord",
    "ServiceVersionRecord",
    "ServiceWrite",
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


_CHOICE: dict[str, Any] = {
    "id": "ch-0b6f3c1e2d4a4f5b9c8d7e6f5a4b3c2d",
    "option_list_id": "ol-5cb41220d1b844c1834ffe408c1bf1e0",
    "client_ref": "c-api-1",
    "decision": "chosen",
    "option_ids": ["compensation/svc-songkhla-wage-claim"],
    "cash_chosen": False,
    "spending_plan": [],
    "note": None,
}


class ChoiceCreated(Choice):
    """The recorded choice, with the referral drafts it made."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_CHOICE,
                    "referrals": [
                        {
                            "id": "rf-fd1a23fd3c054f22be4f6a785436c903",
                            "option_id": "compensation/svc-songkhla-wage-claim",
                            "need": "compensation",
                            "priority": 4,
                            "service_id": "svc-songkhla-wage-claim",
                            "service_name": "Unpaid wage claims (Songkhla)",
                            "provider_id": "org-andaman-wage-justice",
                            "provider_name": "Andaman Wage Justice Centre",
                            "kinds": ["legal_aid.wage_claim"],
                            "status": "draft",
                            "shared_fields": ["client_ref", "need"],
                        }
                    ],
                }
            ]
        }
    )

    id: str
    referrals: list[ChosenReferral] = Field(default_factory=list)  # type: ignore[assignment]


class ChoiceRecord(Choice):
    """A recorded choice, with the ids of its referrals."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_CHOICE,
                    "referrals": [],
                    "referral_ids": ["rf-fd1a23fd3c054f22be4f6a785436c903"],
                    "created_at": "2026-12-02T09:40:11+00:00",
                }
            ]
        }
    )

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


_ORG_ACTIVE = "False while an admin has the service's organisation deactivated (its services are not offered)."
_OFFERED = "Offered to clients now: the service is active and its organisation is not deactivated."
_READ_ONLY = " Read-only: a write may send back what it read; the value sent is ignored."


class ServiceWrite(Service):
    """A service as registered or replaced: the service's own fields; the read-only
    ``organization_active`` and ``offered`` of a read may be sent back and are ignored."""

    organization_active: bool | None = Field(default=None, description=_ORG_ACTIVE + _READ_ONLY)
    offered: bool | None = Field(default=None, description=_OFFERED + _READ_ONLY)

    def stored(self) -> Service:
        """The service as stored (without the read-only fields)."""
        return Service.model_validate(self.model_dump(exclude={"organization_active", "offered"}, exclude_unset=True))


class ServiceRecord(Service):
    """A stored service with its version (the ETag) and who changed it last, and whether
    it is offered (``organization_active``, ``offered``)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "svc-legal-1",
                    "organization_id": "org-andaman-wage-justice",
                    "name": "Wage claim clinic (fictional)",
                    "kinds": ["legal_aid.wage_claim"],
                    "version": 3,
                    "updated_at": "2026-12-02T09:38:48+00:00",
                    "updated_by": "4f1c2a9b7d3e",
                    "organization_active": True,
                    "offered": True,
                }
            ]
        }
    )

    version: int
    updated_at: str | None = Field(default=None, description=_TIME, json_schema_extra={"format": "date-time"})
    updated_by: str | None = None
    organization_active: bool = Field(default=True, description=_ORG_ACTIVE)
    offered: bool = Field(default=True, description=_OFFERED)


class KeyCreated(BaseModel):
    """A new API key: ``key`` is shown this once."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "4f1c2a9b7d3e",
                    "key": "fc_4f1c2a9b7d3e_EXAMPLEsecretEXAMPLEsecret",
                    "organization_id": "org-cw-a",
                    "role": "caseworker",
                    "note": "Store this key now: it is shown only once.",
                }
            ]
        }
    )
    id: str
    key: str = Field(description="fc_<id>_<secret>: send it as `Authorization: Bearer <key>`")
    organization_id: str
    role: str
    note: str


class ServiceVersionRecord(BaseModel):
    """One version of a service: the change, who made it, when, and the service as it was."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "version": 2,
                    "change": "capacity",
                    "changed_at": "2026-12-02T09:38:48+00:00",
                    "changed_by": "4f1c2a9b7d3e",
                    "data": {
                        "id": "svc-legal-1",
                        "organization_id": "org-andaman-wage-justice",
                        "name": "Wage claim clinic (fictional)",
                        "kinds": ["legal_aid.wage_claim"],
                    },
                }
            ]
        }
    )
    version: int = Field(ge=1)
    change: str = Field(description="create, update, capacity, deactivate, import, ...")
    changed_at: str = Field(description=_TIME, json_schema_extra={"format": "date-time"})
    changed_by: str = Field(description="The API key id (or process) that made the change")
    data: Service


class KeyPublic(BaseModel):
    """An API key as listed: never its secret."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "4f1c2a9b7d3e",
                    "organization_id": "org-cw-a",
                    "role": "caseworker",
                    "label": "intake desk",
                    "created_at": "2026-12-02T09:38:48+00:00",
                    "revoked": False,
                    "organization_active": True,
                }
            ]
        }
    )
    id: str
    organization_id: str
    role: str
    label: str
    created_at: str = Field(description=_TIME, json_schema_extra={"format": "date-time"})
    revoked: bool
    organization_active: bool


class OrganizationStatus(BaseModel):
    """Whether an organisation's keys work."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"id": "org-cw-a", "active": False, "deactivated_at": "2026-12-02T09:38:48+00:00"}]
        }
    )
    id: str
    active: bool
    deactivated_at: str | None = Field(description=_TIME, json_schema_extra={"format": "date-time"})


class AuditRecord(BaseModel):
    """One entry of the append-only audit log."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 812,
                    "at": "2026-12-02T09:38:48+00:00",
                    "key_id": "4f1c2a9b7d3e",
                    "organization_id": "org-cw-a",
                    "role": "caseworker",
                    "action": "read",
                    "resource": "option_list",
                    "resource_id": "ol-5cb41220d1b844c1834ffe408c1bf1e0",
                    "client_ref": "c-api-1",
                    "detail": {},
                }
            ]
        }
    )
    id: int
    at: str = Field(description=_TIME, json_schema_extra={"format": "date-time"})
    key_id: str
    organization_id: str
    role: str
    action: str = Field(description="create, read, update, transition, erase, ...")
    resource: str
    resource_id: str | None
    client_ref: str | None
    detail: dict[str, Any]


class FeedbackRecord(BaseModel):
    """Recorded feedback, as the caller may see it (the feedback code is never returned;
    ``referral_id`` is null for feedback given with a code: it stays anonymous)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "fb-1d7f0c2e9a8b4c6d8e0f1a2b3c4d5e6f",
                    "referral_id": None,
                    "service_id": "svc-legal-1",
                    "provider_id": "org-andaman-wage-justice",
                    "kinds": ["legal_aid.wage_claim"],
                    "need_met": "partly",
                    "satisfaction": 4,
                    "would_recommend": True,
                    "text": None,
                    "via": "token",
                }
            ]
        }
    )
    id: str
    referral_id: str | None
    service_id: str | None
    provider_id: str | None
    kinds: list[str]
    need_met: Literal["yes", "partly", "no"]
    satisfaction: int = Field(ge=1, le=5)
    would_recommend: bool | None = None
    text: str | None = None
    via: Literal["token", "referral"]
    created_at: str | None = Field(
        default=None, description=_TIME + " (in lists)", json_schema_extra={"format": "date-time"}
    )


class FeedbackCode(BaseModel):
    """A client's single-use feedback code, shown once."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "referral_id": "rf-fd1a23fd3c054f22be4f6a785436c903",
                    "token": "fbt_EXAMPLEexampleEXAMPLEexample",
                    "expires_at": "2027-01-01T09:38:48+00:00",
                    "note": "Give this code to the client now: it is shown only once and counts once.",
                }
            ]
        }
    )
    referral_id: str
    token: str = Field(description="fbt_...: the client sends it with their feedback")
    expires_at: str = Field(
        description="When the code stops working (FREECHOICE_FEEDBACK_CODE_DAYS after it is issued)"
    )
    note: str


class RuleVersion(BaseModel):
    """A rule pack that was activated (the newest is in force)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "version": "rules-4d369b032e0a8c26",
                    "activated_at": "2026-12-02T09:38:48+00:00",
                    "activated_by": "4f1c2a9b7d3e",
                }
            ]
        }
    )
    id: int
    version: str
    activated_at: str = Field(description=_TIME, json_schema_extra={"format": "date-time"})
    activated_by: str = Field(description="The admin key that activated it")
