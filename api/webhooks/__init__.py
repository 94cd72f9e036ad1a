"""Signed webhooks: referral changes POSTed to the systems that subscribed, from an
outbox written in the same transaction as the change, with retries that survive a
restart. Receivers check a delivery with :func:`verify` (see :mod:`.signing`)."""

from freechoice.catalog.errors import SignatureError

from .delivery import Attempt, Deliverer, RetryPolicy, requeue, webhook_loop
from .outbox import EVENT_TYPES, TEST_EVENT, enqueue_test, event_body, record_referral_event
from .signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    TOLERANCE_SECONDS,
    signature_header,
    verify,
)

__all__ = [
    "Attempt",
    "DELIVERY_HEADER",
    "Deliverer",
    "EVENT_HEADER",
    "EVENT_TYPES",
    "EVENT_TYPE_HEADER",
    "RetryPolicy",
    "SIGNATURE_HEADER",
    "SignatureError",
    "TEST_EVENT",
    "TOLERANCE_SECONDS",
    "enqueue_test",
    "event_body",
    "record_referral_event",
    "requeue",
    "signature_header",
    "verify",
    "webhook_loop",
]
