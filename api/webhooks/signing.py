"""Webhook signatures: defined in :mod:`freechoice.catalog.signing`, the bottom layer, where receivers
(and the typed client, which must not import the server) find them; the deliverer signs
with the same functions."""

from freechoice.catalog.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    TOLERANCE_SECONDS,
    signature,
    signature_header,
    verify,
)

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
