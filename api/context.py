"""The request id: taken from a sane ``X-Request-ID`` header or made up, kept in a
context variable so every log line and every problem document of the request carries it."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

__all__ = ["REQUEST_ID_HEADER", "current_request_id", "new_request_id", "request_id_var"]

REQUEST_ID_HEADER = "X-Request-ID"
request_id_var: ContextVar[str | None] = ContextVar("freechoice_request_id", default=None)
_SANE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def new_request_id(offered: str | None = None) -> str:
    """``offered`` when it is a short token of letters, digits and ``._:-``; else a new id."""
    if offered and _SANE.match(offered):
        return offered
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The id of the request being served (None outside a request)."""
    return request_id_var.get()
