"""Query parameter types with the bounds the database needs (declared in the schema)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator

__all__ = ["ClientRefPath", "ClientRefQuery", "IdQuery", "Moment", "PageNumber", "PathId", "TextQuery"]


def _in_utc(value: dt.datetime) -> dt.datetime:
    """Aware and in UTC (a time without offset is read as UTC); a moment whose UTC time
    falls outside years 1-9999 is refused rather than overflowing later."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("the time falls outside the calendar (years 1 to 9999) in UTC") from None


Moment = Annotated[dt.datetime, AfterValidator(_in_utc)]
ClientRefQuery = Annotated[
    str,
    Query(
        max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description="A client's pseudonymous reference."
    ),
]
ClientRefPath = Annotated[
    str,
    Path(max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description="A client's pseudonymous reference."),
]
IdQuery = Annotated[str, Query(max_length=128, description="An id (up to 128 characters).")]
TextQuery = Annotated[str, Query(max_length=500)]
PageNumber = Annotated[int, Query(ge=1, le=1_000_000, description="Page number (from 1).")]
PathId = Annotated[str, Path(max_length=128, description="An id (up to 128 characters).")]
