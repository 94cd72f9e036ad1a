"""Webhook subscriptions: an organisation's system receives its referral changes as
signed POSTs (see ``freechoice.api.webhooks``). Managed by the organisation's
caseworker or partner keys; each subscription receives what that side may see in
``GET /events``."""

from __future__ import annotations

import datetime as dt
import secrets
import urllib.parse
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import func, select
from starlette.responses import Response

from freechoice.catalog.db import write_transaction
from freechoice.catalog.db.tables import WebhookDelivery, WebhookSubscription

from ..auth import Principal
from ..contract import problem_responses
from ..deps import DbSession, require_role
from ..pagination import PageRequest, Paging, page_of
from ..params import PathId
from ..problems import ProblemError
from ..records import audit, create_once
from ..times import rfc3339
from ..webhooks import EVENT_TYPES, enqueue_test, requeue
from ..webhooks.addresses import check_public

__all__ = [
    "DeliveryRecord",
    "SubscriptionCreate",
    "SubscriptionCreated",
    "SubscriptionRecord",
    "check_url",
    "router",
]

router = APIRouter(tags=["webhooks"])
Party = Annotated[Principal, Depends(require_role("caseworker", "partner"))]
SUBSCRIPTIONS = Paging("webhooks", keys=(dt.datetime, str))
DELIVERIES = Paging("deliveries", keys=(dt.datetime, str), descending=True)
MAX_SUBSCRIPTIONS = 20  # per organisation and side: each change is sent to each of them
SCHEMES = ("http", "https")


def check_url(url: str) -> str:
    """``url`` if a delivery can be POSTed to it: an absolute http or https URL with a
    host, no user name or password in it (they would show in every listing)."""
    if any(c.isspace() for c in url) or not url.isprintable():
        raise ValueError("must not contain spaces or control characters")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as err:
        raise ValueError(f"not a valid URL ({err})") from None
    if parts.scheme.lower() not in SCHEMES:
        raise ValueError(f"the scheme must be http or https (allowed: {', '.join(SCHEMES)}), not {parts.scheme!r}")
    if not parts.hostname:
        raise ValueError("must name a host, e.g. https://cases.example.org/freechoice-events")
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not carry a user name or password; the signature authenticates each delivery")
    if port == 0:
        raise ValueError("port 0 cannot be reached")
    return url


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://cases.example.org/freechoice-events",
                    "event_types": ["referral.status_changed"],
                    "description": "Our case system (fictional)",
                }
            ]
        },
    )
    url: str = Field(max_length=2000, description="Where deliveries are POSTed: an http or https URL")
    event_types: list[Literal["referral.status_changed"]] = Field(
        default_factory=lambda: list(EVENT_TYPES),
        min_length=1,
        max_length=len(EVENT_TYPES),
        description=f"Which events to send (default: all; allowed: {', '.join(EVENT_TYPES)})",
    )
    description: str = Field(default="", max_length=200)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_url(value)


_RECORD_EXAMPLE: dict[str, Any] = {
    "id": "wh_4c1f9a2b7d3e8f60",
    "organization_id": "org-cw-a",
    "role": "caseworker",
    "url": "https://cases.example.org/freechoice-events",
    "event_types": ["referral.status_changed"],
    "description": "Our case system (fictional)",
    "created_at": "2026-12-02T09:38:48+00:00",
    "deliveries": {"pending": 0, "delivered": 12, "dead": 1},
}


class SubscriptionRecord(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_RECORD_EXAMPLE]})
    id: str
    organization_id: str
    role: str = Field(description="Whose view of the referrals it receives: `caseworker` or `partner`")
    url: str
    event_types: list[str]
    description: str
    created_at: str = Field(json_schema_extra={"format": "date-time"})
    deliveries: dict[str, int] = Field(description="How many deliveries are pending, delivered and dead")


class SubscriptionCreated(SubscriptionRecord):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_RECORD_EXAMPLE,
                    "deliveries": {"pending": 0, "delivered": 0, "dead": 0},
                    "secret": "whsec_3mZ0k8Q1v2yXo9sLr4TQeC7bW5nH6jA0pD1fG2hK3lM",
                    "note": "Store this secret now: it is shown only once. Check every delivery's "
                    "Freechoice-Signature with it.",
                }
            ]
        }
    )
    secret: str | None = Field(
        default=None,
        description="The signing secret (`whsec_...`): shown only now; absent when an Idempotency-Key retry "
        "replays this response (the secret is not stored with it)",
    )
    note: str


class DeliveryRecord(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "dlv_9f8e7d6c5b4a39281706f5e4",
                    "subscription_id": "wh_4c1f9a2b7d3e8f60",
                    "event_id": 42,
                    "event_type": "referral.status_changed",
                    "status": "pending",
                    "attempts": 2,
                    "next_attempt_at": "2026-12-02T09:41:48+00:00",
                    "last_attempt_at": "2026-12-02T09:39:48+00:00",
                    "last_status_code": 503,
                    "last_error": "HTTP 503 Service Unavailable",
                    "created_at": "2026-12-02T09:38:48+00:00",
                    "delivered_at": None,
                }
            ]
        }
    )
    id: str = Field(description="Sent as `Freechoice-Delivery`; the same on every retry")
    subscription_id: str
    event_id: int = Field(description="The event's id in `GET /events` (0: a test event)")
    event_type: str
    status: Literal["pending", "delivered", "dead"]
    attempts: int
    next_attempt_at: str | None = Field(
        description="When it is tried next (pending only)", json_schema_extra={"format": "date-time"}
    )
    last_attempt_at: str | None = Field(json_schema_extra={"format": "date-time"})
    last_status_code: int | None = Field(description="The receiver's HTTP status at the last attempt")
    last_error: str | None = Field(description="Why the last attempt failed")
    created_at: str = Field(json_schema_extra={"format": "date-time"})
    delivered_at: str | None = Field(json_schema_extra={"format": "date-time"})


def _time(value: dt.datetime | None) -> str | None:
    return None if value is None else rfc3339(value)


def _counts(db: Any, sub_id: str) -> dict[str, int]:
    out = {"pending": 0, "delivered": 0, "dead": 0}
    q = (
        select(WebhookDelivery.status, func.count())
        .where(WebhookDelivery.subscription_id == sub_id)
        .group_by(WebhookDelivery.status)
    )
    for status, n in db.execute(q):
        out[status] = int(n)
    return out


def _public(db: Any, sub: WebhookSubscription) -> dict[str, Any]:
    return {
        "id": sub.id,
        "organization_id": sub.organization_id,
        "role": sub.role,
        "url": sub.url,
        "event_types": list(sub.event_types),
        "description": sub.description,
        "created_at": rfc3339(sub.created_at),
        "deliveries": _counts(db, sub.id),
    }


def _delivery(d: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": d.id,
        "subscription_id": d.subscription_id,
        "event_id": d.event_id or 0,
        "event_type": d.event_type,
        "status": d.status,
        "attempts": d.attempts,
        "next_attempt_at": _time(d.next_attempt_at) if d.status == "pending" else None,
        "last_attempt_at": _time(d.last_attempt_at),
        "last_status_code": d.last_status_code,
        "last_error": d.last_error,
        "created_at": rfc3339(d.created_at),
        "delivered_at": _time(d.delivered_at),
    }


def _own(db: Any, sub_id: str, who: Principal, *, lock: bool = False) -> WebhookSubscription:
    sub = db.get(WebhookSubscription, sub_id, with_for_update=lock)
    if sub is None or sub.organization_id != who.organization_id or sub.role != who.role:
        raise ProblemError(404, "no such webhook subscription")
    return sub


@router.post(
    "/webhooks",
    status_code=201,
    response_model=None,
    responses={201: {"model": SubscriptionCreated, "description": "The subscription, with its secret shown once"}},
    summary="Subscribe a URL to your referral changes; the signing secret is shown once",
)
def create_subscription(body: SubscriptionCreate, request: Request, who: Party, db: DbSession) -> Response:
    if not request.app.state.freechoice.settings.webhook_private_addresses:
        try:
            check_public(body.url)
        except ValueError as err:
            raise ProblemError(
                422, "this webhook URL is not allowed", errors=[{"field": "url", "message": str(err)}]
            ) from None

    def create() -> tuple[int, dict[str, Any]]:
        mine = select(func.count()).where(
            WebhookSubscription.organization_id == who.organization_id, WebhookSubscription.role == who.role
        )
        if (db.scalar(mine) or 0) >= MAX_SUBSCRIPTIONS:
            raise ProblemError(409, f"at most {MAX_SUBSCRIPTIONS} webhook subscriptions: delete one first")
        secret = "whsec_" + secrets.token_urlsafe(32)
        sub = WebhookSubscription(
            id="wh_" + secrets.token_hex(8),
            organization_id=who.organization_id,
            role=who.role,
            url=body.url,
            event_types=sorted(set(body.event_types)),
            description=body.description,
            secret=secret,
            created_at=dt.datetime.now(dt.UTC),
            created_by=who.key_id,
        )
        db.add(sub)
        db.flush()
        audit(db, who, "create", "webhook", sub.id, url=body.url)
        return 201, {
            **_public(db, sub),
            "secret": secret,
            "note": "Store this secret now: it is shown only once. Check every delivery's Freechoice-Signature "
            "with it.",
        }

    return create_once(request, db, who, create, location=lambda id_: f"/webhooks/{id_}", stored=_without_secret)


def _without_secret(body: dict[str, Any]) -> dict[str, Any]:
    """What an Idempotency-Key retry of a subscription gets back: everything but the
    secret, which is never stored outside the subscription (shown once)."""
    kept = {k: v for k, v in body.items() if k != "secret"}
    kept["note"] = (
        "The secret was shown only in the first response to this request. If it was lost, delete this "
        "subscription and subscribe again."
    )
    return kept


@router.get(
    "/webhooks",
    response_model=None,
    responses=page_of(SubscriptionRecord, "Oldest first; secrets are never shown"),
    summary="Your organisation's webhook subscriptions",
)
def list_subscriptions(
    who: Party, db: DbSession, page: Annotated[PageRequest, Depends(SUBSCRIPTIONS.dependency)]
) -> Response:
    q = select(WebhookSubscription).where(
        WebhookSubscription.organization_id == who.organization_id, WebhookSubscription.role == who.role
    )
    rows = list(db.scalars(page.apply(q, WebhookSubscription.created_at, WebhookSubscription.id)))
    return page.respond(rows, key=lambda sub: (sub.created_at, sub.id), item=lambda sub: _public(db, sub))


@router.get(
    "/webhooks/{subscription_id}",
    response_model=None,
    responses={200: {"model": SubscriptionRecord, "description": "The subscription (no secret)"}},
    summary="One webhook subscription, with its delivery counts",
)
def get_subscription(subscription_id: PathId, who: Party, db: DbSession) -> dict[str, Any]:
    return _public(db, _own(db, subscription_id, who))


@router.delete(
    "/webhooks/{subscription_id}",
    status_code=204,
    summary="Delete a webhook subscription; its pending deliveries go with it",
)
def delete_subscription(subscription_id: PathId, who: Party, db: DbSession) -> None:
    with write_transaction(db):
        sub = _own(db, subscription_id, who, lock=True)
        db.delete(sub)
        audit(db, who, "delete", "webhook", subscription_id, url=sub.url)


@router.post(
    "/webhooks/{subscription_id}/test",
    status_code=202,
    response_model=None,
    responses={202: {"model": DeliveryRecord, "description": "The test delivery, queued"}},
    summary="Send a signed `webhook.test` event (event id 0) to the subscription's URL",
)
def send_test(subscription_id: PathId, who: Party, db: DbSession) -> dict[str, Any]:
    with write_transaction(db):
        delivery = enqueue_test(db, _own(db, subscription_id, who))
        db.flush()
        audit(db, who, "test", "webhook", subscription_id, delivery_id=delivery.id)
    return _delivery(delivery)


@router.get(
    "/webhooks/{subscription_id}/deliveries",
    response_model=None,
    responses=page_of(DeliveryRecord, "Newest first"),
    summary="A subscription's deliveries: status, attempts, next attempt, last error",
)
def list_deliveries(
    subscription_id: PathId,
    who: Party,
    db: DbSession,
    page: Annotated[PageRequest, Depends(DELIVERIES.dependency)],
    status: Annotated[
        Literal["pending", "delivered", "dead"] | None, Query(description="Only deliveries in this status")
    ] = None,
) -> Response:
    _own(db, subscription_id, who)
    q = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    if status is not None:
        q = q.where(WebhookDelivery.status == status)
    rows = list(db.scalars(page.apply(q, WebhookDelivery.created_at, WebhookDelivery.id)))
    return page.respond(rows, key=lambda d: (d.created_at, d.id), item=_delivery)


@router.post(
    "/webhooks/{subscription_id}/deliveries/{delivery_id}/retry",
    response_model=None,
    responses={
        200: {"model": DeliveryRecord, "description": "Due again now, with a fresh count of attempts"},
        **problem_responses(409),
    },
    summary="Try a dead (or waiting) delivery again now",
)
def retry_delivery(subscription_id: PathId, delivery_id: PathId, who: Party, db: DbSession) -> dict[str, Any]:
    with write_transaction(db):
        _own(db, subscription_id, who)
        delivery = db.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.subscription_id != subscription_id:
            raise ProblemError(404, "no such delivery")
        if delivery.status == "delivered":
            raise ProblemError(409, "this delivery was delivered; nothing to retry")
        requeue(db, [delivery_id])
        audit(db, who, "retry", "webhook", subscription_id, delivery_id=delivery_id)
    db.refresh(delivery)
    return _delivery(delivery)
