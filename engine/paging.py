"""Cursors of an option list's later pages: where in one need's order a page starts.

A cursor is opaque to clients (take it from ``more.cursor`` or a page's ``next``); it is
the same token the HTTP API's pagination uses for the list named ``options``.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json

from freechoice.catalog.errors import FreechoiceError

__all__ = ["BadCursor", "decode_cursor", "encode_cursor"]

_NAME = "options"


class BadCursor(FreechoiceError):
    """A page cursor that is damaged, of another list, or past the need's options."""


@functools.lru_cache(maxsize=1024)
def encode_cursor(start: int) -> str:
    """The cursor of the page starting at option ``start`` (0-based) of a need."""
    raw = json.dumps([_NAME, start], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str) -> int:
    """The start of the page ``cursor`` names; :class:`BadCursor` if it names none."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        raise BadCursor("not a cursor: copy it unchanged from `next` or `more.cursor`") from None
    if (
        not isinstance(data, list)
        or len(data) != 2
        or data[0] != _NAME
        or not isinstance(data[1], int)
        or isinstance(data[1], bool)
        or data[1] < 0
    ):
        raise BadCursor("not a cursor of a need's options: copy it unchanged from `next` or `more.cursor`")
    return int(data[1])
