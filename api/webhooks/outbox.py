"""The webhook outbox: a referral change and its pending deliveries are written in one
transaction, so both commit or neither does (no change is announced that did not
happen, none that happened is lost).

:func:`record_referral_event` is how every referral status change is recorded: the
history row (the events feed reads it) and one ``webhook_deliveries`` row per
subscription that may see it, with the same body the feed serves.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from freechoice.catalog.db.tables import ReferralEvent, ReferralRow, WebhookDelivery, WebhookSubscription

from ..times import rfc3339

__all__ = [
    "EVENT_TYPES",
    "REFERRAL_STATUS_CHANGED",
    "TEST_EVENT",
    "enqueue_test",
    "event_body",
    "new_delivery_id",
    "record_referral_event",
    "sees",
]

REFERRAL_STATUS_CHANGED = "referral.status_changed"
TEST_EVENT = "webhook.test"
EVENT_TYPES = (REFERRAL_STATUS_CHANGED,)  # what a subscription may choose; a test event always goes


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_delivery_id() -> str:
    return "dlv_" + secrets.token_hex(12)


def event_body(e: ReferralEvent) -> dict[str, Any]:
    """A referral change as the feed (``GET /events``) and webhooks send it."""
    return {
        "id": e.id,
        "type": REFERRAL_STATUS_CHANGED,
        "referral_id": e.referral_id,
        "from": e.from_status or None,
        "to": e.to_status,
        "reason": e.reason,
        "at": rfc3339(e.at),
    }


def sees(role: str, organization_id: str, referral: ReferralRow, to_status: str) -> bool:
    """Whether a caller of ``role`` in ``organization_id`` may see this change of
    ``referral`` (the feed's rule: the caseworker's organisation sees its referrals; the
    receiving partner sees them from when they were sent, never the draft)."""
    if role == "caseworker":
        return referral.organization_id == organization_id
    if role == "partner":
        return referral.provider_id == organization_id and to_status != "draft"
    return False


def record_referral_event(
    session: Session,
    referral: ReferralRow,
    *,
    from_status: str,
    to_status: str,
    reason: str | None,
    actor: str,
) -> ReferralEvent:
    """Record a status change of ``referral`` and queue it for every subscription that
    may see it, in the caller's write transaction (``write_transaction``)."""
    event = ReferralEvent(
        referral_id=referral.id, from_status=from_status, to_status=to_status, reason=reason, actor=actor
    )
    session.add(event)
    session.flush()  # the event id
    subscriptions = session.scalars(
        select(WebhookSubscription).where(
            or_(
                WebhookSubscription.organization_id == referral.organization_id,
                WebhookSubscription.organization_id == referral.provider_id,
            )
        )
    )
    body = None
    now = _now()
    for sub in subscriptions:
        if REFERRAL_STATUS_CHANGED not in sub.event_types or not sees(
            sub.role, sub.organization_id, referral, to_status
        ):
            continue
        body = body or event_body(event)
        session.add(
            WebhookDelivery(
                id=new_delivery_id(),
                subscription_id=sub.id,
                event_id=event.id,
                referral_id=referral.id,
                event_type=REFERRAL_STATUS_CHANGED,
                payload=body,
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
    return event


def enqueue_test(session: Session, subscription: WebhookSubscription) -> WebhookDelivery:
    """Queue a ``webhook.test`` event for ``subscription`` (event id 0: not in the feed)."""
    now = _now()
    delivery = WebhookDelivery(
        id=new_delivery_id(),
        subscription_id=subscription.id,
        event_id=None,
        referral_id=None,
        event_type=TEST_EVENT,
        payload={"id": 0, "type": TEST_EVENT, "subscription_id": subscription.id, "at": rfc3339(now)},
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(delivery)
    return delivery
