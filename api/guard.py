"""Input the models cannot see, refused before any route runs (422, naming the field):

* a body that is not JSON (415), except on the paths starting with ``other_media``
  (the HSDS routes, which check their own media types);

* a NUL character or an unpaired surrogate anywhere: in the path, a query parameter or a
  JSON string (PostgreSQL cannot store either);
* in a JSON body: the same key twice in one object (never "last one wins", e.g. for a
  role), ``NaN`` / ``Infinity`` or a number too large for a float, an integer outside
  64 bits, objects and lists nested more than ``MAX_DEPTH`` levels.

The body is read once (the body limit bounds it) and handed on unchanged.
"""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .problems import problem

__all__ = ["INT64", "InputGuard", "MAX_DEPTH", "json_problems"]

INT64 = (-(2**63), 2**63 - 1)
MAX_DEPTH = 40  # objects and lists inside each other; real documents nest a handful deep
_MAX_REPORTED = 20


class _Object(list):  # type: ignore[type-arg]
    """A JSON object as its (key, value) pairs, in order, duplicates kept."""


class _Constant:
    def __init__(self, name: str) -> None:
        self.name = name


def _text_problem(s: str) -> str | None:
    if "\x00" in s:
        return "contains a NUL character (not allowed in text)"
    if not s.isascii():
        try:
            s.encode("utf-8")
        except UnicodeEncodeError:
            return "contains an unpaired surrogate (not valid Unicode text)"
    return None


def _field(path: list[str]) -> str:
    return ".".join(path) or "(body)"


def json_problems(body: bytes) -> list[dict[str, Any]] | None:
    """What is wrong with ``body`` as strict JSON; None when it is not JSON at all (the
    route's own parser reports that)."""
    try:
        doc = json.loads(body, object_pairs_hook=_Object, parse_constant=_Constant)
    except (ValueError, RecursionError):
        return None
    problems: list[dict[str, Any]] = []
    _walk(doc, [], problems)
    return problems


def _walk(value: Any, path: list[str], out: list[dict[str, Any]]) -> None:
    if len(out) >= _MAX_REPORTED:
        return
    if len(path) >= MAX_DEPTH and isinstance(value, (_Object, list)):
        out.append({"field": _field(path), "message": f"nested more than {MAX_DEPTH} levels deep"})
        return
    if isinstance(value, _Object):
        seen: set[str] = set()
        for key, item in value:
            where = [*path, key]
            if (why := _text_problem(key)) is not None:
                out.append({"field": _field(where), "message": f"the key {why}"})
            elif key in seen:
                out.append(
                    {
                        "field": _field(where),
                        "message": "given more than once in the same object (give each field once)",
                    }
                )
            seen.add(key)
            _walk(item, where, out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, [*path, str(i)], out)
    elif isinstance(value, str):
        if (why := _text_problem(value)) is not None:
            out.append({"field": _field(path), "message": why})
    elif isinstance(value, _Constant):
        out.append(
            {"field": _field(path), "message": f"{value.name} is not a number JSON allows; give a finite number"}
        )
    elif isinstance(value, float):
        if not math.isfinite(value):
            out.append({"field": _field(path), "message": "the number is too large; give a finite number"})
    elif isinstance(value, int) and not isinstance(value, bool):
        if not INT64[0] <= value <= INT64[1]:
            out.append(
                {
                    "field": _field(path),
                    "message": "the whole number is too large (more than 64 bits)",
                    "allowed": [f"{INT64[0]}..{INT64[1]}"],
                }
            )


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers") or []:
        if name == b"content-type":
            media: bytes = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return True  # FastAPI reads a body without a content type as JSON


def _query_problems(scope: Scope) -> list[dict[str, Any]]:
    problems = []
    if (why := _text_problem(scope.get("path", ""))) is not None:
        problems.append({"field": "path", "message": why})
    raw = scope.get("query_string") or b""
    if raw:
        for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="replace"):
            why = _text_problem(name) or _text_problem(value)
            if why is not None:
                problems.append({"field": "query." + name.replace("\x00", "\\0"), "message": why})
    return problems


class InputGuard:
    """ASGI middleware: refuse the input above with one 422 problem listing every field
    (415 for a body that is not JSON)."""

    def __init__(self, app: ASGIApp, other_media: tuple[str, ...] = ("/hsds/",)) -> None:
        self.app, self.other_media = app, other_media

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problems = _query_problems(scope)
        if problems:
            await _refuse(problems, scope, receive, send)
            return
        if scope["method"] not in ("POST", "PUT", "PATCH", "DELETE"):
            await self.app(scope, receive, send)
            return
        is_json = _is_json(scope)
        if not is_json and scope.get("path", "").startswith(self.other_media):
            await self.app(scope, receive, send)  # these routes check their own media types
            return
        chunks = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body and not is_json:
            await problem(
                415,
                "the body must be JSON: send it with Content-Type: application/json",
                errors=[{"field": "Content-Type", "message": "not a JSON media type", "allowed": ["application/json"]}],
            )(scope, receive, send)
            return
        if body:
            found = json_problems(body)
            if found:
                await _refuse(found, scope, receive, send)
                return
        await self.app(scope, _replay([{"type": "http.request", "body": body, "more_body": False}], receive), send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    async def replay() -> Message:
        if messages:
            return messages.pop(0)
        return await receive()

    return replay


async def _refuse(problems: list[dict[str, Any]], scope: Scope, receive: Receive, send: Send) -> None:
    await problem(422, f"{len(problems)} problem(s) in the request", errors=problems)(scope, receive, send)
