"""Database tables (SQLAlchemy 2). Catalog records keep their pydantic JSON as the
single source of truth, with the columns queries need alongside."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .sealing import SealedJSON, SealedText

__all__ = [
    "AccessState",
    "ApiKey",
    "AssessmentRow",
    "AuditEntry",
    "Base",
    "CatalogState",
    "ChoiceRow",
    "FeedbackRow",
    "FeedbackToken",
    "FollowUpRow",
    "IdempotencyRecord",
    "IntakeDraft",
    "MaintenanceRun",
    "OptionListRow",
    "OrganizationRow",
    "PersonRow",
    "ReferralEvent",
    "ReferralRow",
    "RulePackRow",
    "ServiceRow",
    "ServiceVersion",
    "SpendingPlanRow",
    "TransferPaymentRow",
    "TransferRow",
    "WebSession",
    "WebhookDelivery",
    "WebhookSubscription",
]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


#: A list of strings: a PostgreSQL text array (GIN-indexed where retrieval reads it), JSON elsewhere.
StringList = JSON().with_variant(ARRAY(Text), "postgresql")


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class OrganizationRow(Base):
    __tablename__ = "organizations"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_by: Mapped[str] = mapped_column(String(64))
    # days option lists and assessments are kept; None: the service default
    retention_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # set while an admin has the organisation deactivated: its keys stop, its data stay
    deactivated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # content hash of ``data`` as the catalog version counts it (kept by every write)
    digest: Mapped[str | None] = mapped_column(String(64), nullable=True)


class ServiceRow(Base):
    __tablename__ = "services"
    __table_args__ = (
        Index("ix_services_kinds", "kinds", postgresql_using="gin"),
        Index("ix_services_place_keys", "place_keys", postgresql_using="gin"),
        Index("ix_services_languages", "languages", postgresql_using="gin"),
    )
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer, index=True, default=0)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_by: Mapped[str] = mapped_column(String(64))
    # What in-database retrieval reads (retrieval_columns.service_columns), written with ``data``
    # in the same transaction; GIN indexes over the arrays on PostgreSQL (migration 0012).
    active: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    kinds: Mapped[list[str]] = mapped_column(StringList, default=list)
    place_keys: Mapped[list[str]] = mapped_column(StringList, default=list)
    languages: Mapped[list[str]] = mapped_column(StringList, default=list)
    interpretation: Mapped[bool] = mapped_column(Boolean, default=False)
    lifted: Mapped[list[str]] = mapped_column(StringList, default=list)
    digest: Mapped[str | None] = mapped_column(String(64), nullable=True)


class ServiceVersion(Base):
    """Every version of every service: what it was, who changed it, when, and how."""

    __tablename__ = "service_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(String(128), index=True)
    version: Mapped[int] = mapped_column(Integer)
    change: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    changed_by: Mapped[str] = mapped_column(String(64))


class CatalogState(Base):
    """One row: a revision counter every catalog write moves, so every process sees changes,
    and the running sum the catalog version is made of (hex; every write moves it in its
    own transaction), so a database-backed catalog knows its version without a walk."""

    __tablename__ = "catalog_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    version_sum: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AccessState(Base):
    """One row: a revision counter every key revocation and organisation (de)activation
    moves, so every worker drops the keys it remembers within a fraction of a second."""

    __tablename__ = "access_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    created_by: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # a key issued to one person (their calls are audited under their name); None: a system's key
    person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), nullable=True, index=True)


class PersonRow(Base):
    """A person who signs in to the pages: bound to one organisation, with one role."""

    __tablename__ = "people"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    # argon2id, with its parameters and salt (argon2-cffi's encoded form)
    password_hash: Mapped[str] = mapped_column(String(256))
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    password_changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    created_by: Mapped[str] = mapped_column(String(64))


class WebSession(Base):
    """A signed-in browser: the SHA-256 of its cookie, whose person, its CSRF token and
    expiry. Signing out or a password reset deletes the row: the cookie stops at once."""

    __tablename__ = "web_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class IntakeDraft(Base):
    """An intake being filled in with a client: the form as typed so far (sealed like
    other client data), until it becomes an assessment and its option list."""

    __tablename__ = "intake_drafts"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    client_ref: Mapped[str] = mapped_column(String(64), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(SealedJSON)
    option_list_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    created_by: Mapped[str] = mapped_column(String(64))


class AssessmentRow(Base):
    __tablename__ = "assessments"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    client_ref: Mapped[str] = mapped_column(String(64), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(SealedJSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    # a re-ranking at a follow-up is a new assessment linked to the client's first one
    follows_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)


class OptionListRow(Base):
    """An option list exactly as offered, with the rule and catalog versions it came from."""

    __tablename__ = "option_lists"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    assessment_id: Mapped[str] = mapped_column(ForeignKey("assessments.id"))
    client_ref: Mapped[str] = mapped_column(String(64), index=True)
    rules_version: Mapped[str] = mapped_column(String(64))
    catalog_version: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(SealedJSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    # what the KPIs need of the list (engine.kpis.list_summary), so they never read `data`
    priority_4_needs: Mapped[int | None] = mapped_column(Integer, nullable=True)
    priority_4_with_option: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ChoiceRow(Base):
    __tablename__ = "choices"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    option_list_id: Mapped[str] = mapped_column(ForeignKey("option_lists.id"), index=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    decision: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(SealedJSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    created_by: Mapped[str] = mapped_column(String(64))


class ReferralRow(Base):
    __tablename__ = "referrals"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    choice_id: Mapped[str] = mapped_column(ForeignKey("choices.id"), index=True)
    option_list_id: Mapped[str] = mapped_column(String(64))
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    provider_id: Mapped[str] = mapped_column(String(128), index=True)
    service_id: Mapped[str] = mapped_column(String(128))
    kinds: Mapped[list[Any]] = mapped_column(JSON)
    need: Mapped[str] = mapped_column(String(64))
    priority: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    shared: Mapped[dict[str, Any]] = mapped_column(SealedJSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    version: Mapped[int] = mapped_column(Integer, default=1)


class ReferralEvent(Base):
    __tablename__ = "referral_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    referral_id: Mapped[str] = mapped_column(ForeignKey("referrals.id"), index=True)
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(SealedText, nullable=True)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class FeedbackRow(Base):
    __tablename__ = "feedback"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    referral_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    organization_id: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    provider_id: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    service_id: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    kinds: Mapped[list[Any]] = mapped_column(JSON, default=list)
    need_met: Mapped[str] = mapped_column(String(8))
    satisfaction: Mapped[int] = mapped_column(Integer)
    would_recommend: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    text: Mapped[str | None] = mapped_column(SealedText, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    # how it was tied to a real referral: "referral" (through the caseworker) or "token"
    # (the client's single-use code); only such feedback feeds the ranking
    via: Mapped[str | None] = mapped_column(String(8), nullable=True)


class FeedbackToken(Base):
    """The single-use feedback code of one referral (its hash only; used once)."""

    __tablename__ = "feedback_tokens"
    # erasing a referral takes its code with it (a code holds nothing personal)
    referral_id: Mapped[str] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    organization_id: Mapped[str] = mapped_column(String(128), index=True)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # a code stops working at this time (codes issued before expiry existed never expire)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


MONEY = Numeric(18, 2)


class TransferRow(Base):
    """One scheduled cash transfer of a client who chose cash (issue 12)."""

    __tablename__ = "transfers"
    __table_args__ = (UniqueConstraint("organization_id", "client_ref", "number", name="uq_transfers_client_number"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    client_ref: Mapped[str] = mapped_column(String(64), index=True)
    choice_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    number: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    created_by: Mapped[str] = mapped_column(String(64))


class TransferPaymentRow(Base):
    """A payment of one transfer; the unique transfer_id means no transfer is paid twice."""

    __tablename__ = "transfer_payments"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    transfer_id: Mapped[str] = mapped_column(ForeignKey("transfers.id", ondelete="CASCADE"), unique=True)
    organization_id: Mapped[str] = mapped_column(String(128), index=True)
    paid_on: Mapped[dt.date] = mapped_column(Date, index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    method: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(128))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class SpendingPlanRow(Base):
    """One version of a client's spending plan (versions are appended, never changed)."""

    __tablename__ = "spending_plans"
    __table_args__ = (UniqueConstraint("organization_id", "client_ref", "version", name="uq_spending_plans_version"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    client_ref: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[Decimal] = mapped_column(MONEY)
    # the lines with the client's notes, and the notes' language
    data: Mapped[dict[str, Any]] = mapped_column(SealedJSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    created_by: Mapped[str] = mapped_column(String(64))


class FollowUpRow(Base):
    """A dated follow-up: spending, outcomes, referral outcomes and the client's words."""

    __tablename__ = "follow_ups"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    client_ref: Mapped[str] = mapped_column(String(64), index=True)
    held_on: Mapped[dt.date] = mapped_column(Date, index=True)
    # the new assessment a re-ranking made (linked to the first by assessments.follows_id)
    assessment_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(SealedJSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    created_by: Mapped[str] = mapped_column(String(64))


class AuditEntry(Base):
    """Append-only: every write and every read of client data."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    key_id: Mapped[str] = mapped_column(String(32), index=True)
    organization_id: Mapped[str] = mapped_column(String(128), index=True)
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16))
    resource: Mapped[str] = mapped_column(String(32), index=True)
    resource_id: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    client_ref: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # the person who acted (signed in to the pages, or through a key issued to them)
    person_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)


class RulePackRow(Base):
    """Rule packs that were activated; the newest active one is in force."""

    __tablename__ = "rule_packs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    activated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    activated_by: Mapped[str] = mapped_column(String(64))


class IdempotencyRecord(Base):
    __tablename__ = "idempotency"
    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(256))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(SealedJSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    # SHA-256 of the first request's body: a reuse with another body is refused
    request_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class MaintenanceRun(Base):
    """When a periodic task (the retention purge) last ran, so that of several
    workers only one runs it per interval."""

    __tablename__ = "maintenance_runs"
    task: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_run_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class WebhookSubscription(Base):
    """Where an organisation wants its referral changes POSTed, signed with ``secret``
    (kept to sign with, so encrypted at rest like client data; shown once)."""

    __tablename__ = "webhook_subscriptions"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    # the side whose events it receives, as the events feed: "caseworker" or "partner"
    role: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[list[Any]] = mapped_column(JSON)
    description: Mapped[str] = mapped_column(String(200), default="")
    secret: Mapped[str] = mapped_column(SealedText)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    created_by: Mapped[str] = mapped_column(String(32))


class WebhookDelivery(Base):
    """The outbox: one row per (event, subscription), written in the transaction that
    made the change. ``status`` is pending (due at ``next_attempt_at``), delivered or
    dead (after the last attempt failed). A worker sending it holds ``claim`` until
    ``next_attempt_at``; the payload is dropped once delivered."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("subscription_id", "event_id", name="uq_webhook_deliveries_event"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subscription_id: Mapped[str] = mapped_column(ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: a test event
    # erasing a referral takes its pending deliveries with it
    referral_id: Mapped[str | None] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), nullable=True, index=True
    )
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any] | None] = mapped_column(SealedJSON, nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    claim: Mapped[str | None] = mapped_column(String(32), nullable=True)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


Index("ix_referral_events_at", ReferralEvent.at)
Index("ix_webhook_deliveries_due", WebhookDelivery.status, WebhookDelivery.next_attempt_at)
Index("ix_option_lists_org_created", OptionListRow.organization_id, OptionListRow.created_at)
Index("ix_referrals_org_created", ReferralRow.organization_id, ReferralRow.created_at)
Index("ix_referrals_provider_created", ReferralRow.provider_id, ReferralRow.created_at)
Index("ix_feedback_org_created", FeedbackRow.organization_id, FeedbackRow.created_at)
_ = func
