"""Conditional reads: a GET with ``If-None-Match`` naming the current ``ETag`` answers
304 without a body (RFC 9110 section 13.1.2)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Header, Request
from starlette.responses import Response

__all__ = ["ETAG", "IfNoneMatch", "NOT_MODIFIED", "matches", "not_modified"]

IfNoneMatch = Annotated[str | None, Header(max_length=1024, description="ETags you hold: 304 when one is current")]
ETAG: dict[str, Any] = {"ETag": {"description": "The representation's entity tag", "schema": {"type": "string"}}}
NOT_MODIFIED: dict[str, Any] = {"description": "Not modified: the ETag you sent is current", "headers": ETAG}


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weak comparison: ``W/`` is ignored) or is ``*``."""
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    for tag in if_none_match.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == wanted:
            return True
    return False


def not_modified(request: Request, etag: str) -> Response | None:
    """A 304 for a caller that already holds ``etag``, else None."""
    if matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers={"ETag": etag})
    return None
