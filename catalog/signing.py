"""Webhook signatures: how freechoice signs a delivery, and how a receiver checks one
(the server's deliverer signs with these; ``freechoice.client`` re-exports :func:`verify`).

Every delivery is a ``POST`` of a JSON event with these headers::

    Freechoice-Signature: t=1764672000,v1=5f1c...e2
    Freechoice-Delivery: dlv_4b1f...    (the same on every retry of this delivery)
    Freechoice-Event: 1234              (the event id, as in GET /events)
    Freechoice-Event-Type: referral.status_changed

``v1`` is the hex HMAC-SHA256, keyed with the subscription's secret (the whole
``whsec_...`` text, as UTF-8), of the timestamp, a full stop and the raw body bytes:
``f"{t}.".encode() + body``. The timestamp is Unix seconds when the attempt was sent,
so a retry carries a new one. A receiver recomputes the HMAC over the body exactly as
received (before parsing it), compares in constant time, and refuses a timestamp
further than a tolerance (five minutes by default) from its own clock, so a captured
delivery cannot be replayed later. Several ``v1=`` entries may appear (one per valid
secret); any match is enough.

:func:`verify` does all of that and returns the parsed event::

    from freechoice.client import SignatureError, verify

    try:
        event = verify(secret, request_body, request.headers["Freechoice-Signature"])
    except SignatureError:
        return 400
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

import orjson

from freechoice.catalog.errors import SignatureError

__all__ = [
    "DELIVERY_HEADER",
    "EVENT_HEADER",
    "EVENT_TYPE_HEADER",
    "SIGNATURE_HEADER",
    "TOLERANCE_SECONDS",
    "signature",
    "signature_header",
    "verify",
]

SIGNATURE_HEADER = "Freechoice-Signature"
DELIVERY_HEADER = "Freechoice-Delivery"
EVENT_HEADER = "Freechoice-Event"
EVENT_TYPE_HEADER = "Freechoice-Event-Type"
TOLERANCE_SECONDS = 300
_SCHEME = "v1"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``b"<timestamp>." + body`` keyed with ``secret``."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Freechoice-Signature`` value for ``body`` sent at ``timestamp`` (Unix seconds)."""
    return f"t={timestamp},{_SCHEME}={signature(secret, timestamp, body)}"


def _parse(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if name == "t":
            if not (value.isascii() and value.isdigit()) or len(value) > 12:
                raise SignatureError("the signature header's timestamp t= is not a number of seconds")
            timestamp = int(value)
        elif name == _SCHEME:
            signatures.append(value)
    if timestamp is None:
        raise SignatureError(f"the signature header has no timestamp (expected t=<unix seconds>,{_SCHEME}=<hex>)")
    if not signatures:
        raise SignatureError(f"the signature header has no {_SCHEME}= signature")
    return timestamp, signatures


def verify(
    secret: str,
    body: bytes | str,
    header: str | None,
    *,
    tolerance_seconds: float = TOLERANCE_SECONDS,
    now: float | None = None,
) -> Any:
    """Check a delivery and return its event (the parsed JSON body).

    ``secret`` is the subscription's secret (shown once when it was created), ``body``
    the raw request body exactly as received, ``header`` the ``Freechoice-Signature``
    header. Raises :class:`~freechoice.catalog.SignatureError` when the header is
    missing or malformed, when no ``v1`` signature matches, or when the timestamp is
    more than ``tolerance_seconds`` away from ``now`` (default: this machine's clock).

    >>> body = b'{"id": 7, "type": "referral.status_changed"}'
    >>> header = signature_header("whsec_example", 1764672000, body)
    >>> header.startswith("t=1764672000,v1=")
    True
    >>> verify("whsec_example", body, header, now=1764672010)
    {'id': 7, 'type': 'referral.status_changed'}
    >>> verify("whsec_example", body.replace(b"7", b"8"), header, now=1764672010)
    Traceback (most recent call last):
    ...
    freechoice.catalog.errors.SignatureError: no signature matches the body (wrong secret, or the body was changed)
    >>> verify("whsec_example", body, header, now=1764672000 + 3600)
    Traceback (most recent call last):
    ...
    freechoice.catalog.errors.SignatureError: the signature's timestamp is 3600 s away from now, ...
    """
    if not header:
        raise SignatureError(f"no {SIGNATURE_HEADER} header")
    raw = body.encode() if isinstance(body, str) else bytes(body)
    timestamp, candidates = _parse(header)
    expected = signature(secret, timestamp, raw)
    if not any(hmac.compare_digest(expected.encode(), c.encode("utf-8", "replace")) for c in candidates):
        raise SignatureError("no signature matches the body (wrong secret, or the body was changed)")
    moment = time.time() if now is None else now
    if abs(moment - timestamp) > tolerance_seconds:
        raise SignatureError(
            f"the signature's timestamp is {abs(moment - timestamp):.0f} s away from now, over the tolerance of "
            f"{tolerance_seconds:g} s (a replayed or delayed delivery)"
        )
    return orjson.loads(raw)
