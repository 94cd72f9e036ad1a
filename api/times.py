"""Timestamps as the API sends them: RFC 3339 with an offset, always (SQLite hands
back the stored UTC time without one)."""

from __future__ import annotations

import datetime as dt

__all__ = ["rfc3339"]


def rfc3339(value: dt.datetime) -> str:
    """``value`` in UTC as RFC 3339 text with ``+00:00`` (a time without offset is UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()
