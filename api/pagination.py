"""One pagination style for every list: cursor pages read with keyset pagination.

A list answers ``{"items": [...], "next": "<URL of the following page, or null>"}``
(also as ``Link: <...>; rel="next"``). ``limit`` bounds the page; ``cursor`` is opaque:
take it from ``next``, never build it. No totals: counting a filtered list is a second
read of everything it matches, which is what a page must not cost.

A route declares its list once, with the columns it is ordered by::

    SERVICES = Paging("services", keys=(str,))

    @router.get("/services", response_model=None, responses=page_of(ServiceRecord))
    def list_services(db: DbSession, page: Annotated[PageRequest, Depends(SERVICES.dependency)]):
        rows = list(db.scalars(page.apply(select(ServiceRow), ServiceRow.id)))
        return page.respond(rows, key=lambda r: (r.id,), item=body)

The database reads only the page asked for (plus one row, to know whether there is a
next page): the cursor holds the last row's sort key and the query goes on after it."""

# no ``from __future__ import annotations``: FastAPI reads the dependency's annotations,
# which name this module's locals (the list's bounds)
import base64
import binascii
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import urlencode

import orjson
from fastapi import Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select, and_, or_
from sqlalchemy.sql.elements import ColumnElement

from .problems import ProblemError
from .responses import FastJSONResponse

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "Page", "PageRequest", "Paging", "link_header", "page_of"]

T = TypeVar("T")
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
_CURSOR_LENGTH = 512


class Page(BaseModel, Generic[T]):
    """A page of a list. Follow ``next`` until it is null to read the whole list."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"items": [], "next": "/services?limit=100&cursor=WyJzZXJ2aWNlcyIsInN2Yy1sZWdhbC0xIl0"}]
        }
    )
    items: list[T] = Field(description="This page's items, in the list's order")
    next: str | None = Field(
        description="The following page's URL (path and query, the same filters and `limit`); null on the last page"
    )


def page_of(model: type[BaseModel], description: str = "A page of the list", **extra: Any) -> dict[int | str, Any]:
    """``responses=`` documenting a 200 that is a :class:`Page` of ``model`` (with its
    ``Link`` header)."""
    return {200: {"model": Page[model], "description": description, "headers": link_header(), **extra}}  # type: ignore[valid-type]


def link_header() -> dict[str, Any]:
    return {
        "Link": {
            "description": 'The following page as `<URL>; rel="next"` (absent on the last page)',
            "schema": {"type": "string"},
        }
    }


def _bad_cursor(message: str) -> ProblemError:
    return ProblemError(
        422,
        "invalid cursor: follow the `next` link of a page of this list, or start again without a cursor",
        errors=[{"field": "query.cursor", "message": message}],
    )


class PageRequest:
    """One request's page: its ``limit`` and the sort key it goes on after (none: the start)."""

    def __init__(self, paging: "Paging", request: Request, limit: int, after: tuple[Any, ...] | None) -> None:
        self.paging, self.request, self.limit, self.after = paging, request, limit, after

    def apply(self, query: Select[Any], *columns: Any) -> Select[Any]:
        """``query`` ordered by ``columns`` (descending if the list is), going on after
        the cursor, limited to the page and one row more."""
        desc = self.paging.descending
        query = query.order_by(*(c.desc() if desc else c for c in columns))
        if self.after is not None:
            query = query.where(self._after(columns, self.after, desc))
        return query.limit(self.limit + 1)

    @staticmethod
    def _after(columns: Sequence[Any], values: Sequence[Any], desc: bool) -> ColumnElement[bool]:
        # (a, b) > (x, y) spelled out: the same on every database, and each value is bound
        # with its column's type
        first, value = columns[0], values[0]
        beyond = first < value if desc else first > value
        if len(columns) == 1:
            return beyond  # type: ignore[no-any-return]
        return or_(beyond, and_(first == value, PageRequest._after(columns[1:], values[1:], desc)))

    def next_url(self, key: tuple[Any, ...]) -> str:
        params = [(k, v) for k, v in self.request.query_params.multi_items() if k not in ("cursor", "limit")]
        params += [("limit", str(self.limit)), ("cursor", self.paging.encode(key))]
        return f"{self.request.url.path}?{urlencode(params)}"

    def respond(
        self,
        rows: Sequence[Any],
        key: Callable[[Any], tuple[Any, ...]],
        item: Callable[[Any], Any],
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> FastJSONResponse:
        """The page of ``rows`` (as read by :meth:`apply`), each rendered by ``item``;
        ``extra`` adds fields beside ``items`` and ``next`` (a :class:`Page` subclass's)."""
        more = len(rows) > self.limit
        rows = rows[: self.limit]
        next_url = self.next_url(key(rows[-1])) if more and rows else None
        headers = dict(headers or {})
        if next_url:
            headers["Link"] = f'<{next_url}>; rel="next"'
        return FastJSONResponse({"items": [item(r) for r in rows], "next": next_url, **(extra or {})}, headers=headers)


class Paging:
    """A list's paging: a FastAPI dependency giving a :class:`PageRequest`.

    ``name`` ties a cursor to its list (another list's cursor is a 422); ``keys`` are the
    types of the sort columns, ``descending`` their direction (newest first)."""

    def __init__(
        self,
        name: str,
        keys: tuple[type, ...],
        *,
        descending: bool = False,
        default: int = DEFAULT_LIMIT,
        maximum: int = MAX_LIMIT,
    ) -> None:
        self.name, self.keys, self.descending, self.default, self.maximum = name, keys, descending, default, maximum

        def dependency(
            request: Request,
            limit: Annotated[int, Query(ge=1, le=maximum, description=f"Items per page (1-{maximum}).")] = default,
            cursor: Annotated[
                str | None,
                Query(
                    max_length=_CURSOR_LENGTH,
                    pattern=r"^[A-Za-z0-9_-]+$",
                    description="Where the page starts: the opaque cursor from the previous page's `next` link.",
                ),
            ] = None,
        ) -> PageRequest:
            if "offset" in request.query_params:  # the old style: refused, never silently page 1
                raise ProblemError(
                    422,
                    "lists are paged with cursors: follow the `next` link of each page",
                    errors=[{"field": "query.offset", "message": "not supported: use `cursor` from `next`"}],
                )
            return PageRequest(self, request, limit, None if cursor is None else self.decode(cursor))

        self.dependency = dependency

    def encode(self, key: tuple[Any, ...]) -> str:
        values = [v.isoformat() if isinstance(v, dt.datetime) else v for v in key]
        raw = orjson.dumps([self.name, *values])
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    def decode(self, cursor: str) -> tuple[Any, ...]:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            data = orjson.loads(raw)
        except (binascii.Error, ValueError):
            raise _bad_cursor("not a cursor: copy it unchanged from `next`") from None
        if not isinstance(data, list) or not data or data[0] != self.name:
            raise _bad_cursor(f"not a cursor of this list ({self.name})")
        values = data[1:]
        if len(values) != len(self.keys):
            raise _bad_cursor(f"not a cursor of this list ({self.name})")
        out: list[Any] = []
        for value, kind in zip(values, self.keys, strict=True):
            out.append(self._value(value, kind))
        return tuple(out)

    @staticmethod
    def _value(value: Any, kind: type) -> Any:
        if kind is dt.datetime and isinstance(value, str):
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                raise _bad_cursor("a damaged cursor: copy it unchanged from `next`") from None
            return moment
        if kind is int and isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63:
            return value
        if kind is str and isinstance(value, str) and len(value) <= _CURSOR_LENGTH and "\x00" not in value:
            return value
        raise _bad_cursor("a damaged cursor: copy it unchanged from `next`")
