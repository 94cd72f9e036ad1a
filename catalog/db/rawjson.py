"""JSON text that is already serialised, and the serialiser that stores it as it is."""

from __future__ import annotations

from typing import Any

import orjson

__all__ = ["RawJSON", "dumps"]


class RawJSON(str):
    """JSON text that is already serialised: stored in a JSON column as it is."""


def dumps(obj: Any) -> str:
    """Serialise for a JSON column (:class:`RawJSON` passes through unchanged)."""
    if isinstance(obj, RawJSON):
        return str(obj)
    return orjson.dumps(obj).decode()
