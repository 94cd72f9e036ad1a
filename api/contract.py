"""The OpenAPI document as a contract: the problem document's schema in ``components``,
and every status the server can send documented on every operation that can send it, as
``application/problem+json`` with that schema (what a generated client parses)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field

from .examples import EXAMPLES
from .problems import MEDIA, TITLES

__all__ = ["Problem", "ProblemField", "install_contract", "problem_responses"]


class ProblemField(BaseModel):
    """One problem with the request, naming the field and, where it helps, the allowed values."""

    model_config = ConfigDict(extra="allow")
    field: str = Field(description="Where: a dotted path in the body, `query.<name>`, `path` or a header name")
    message: str
    allowed: list[Any] | None = Field(default=None, description="The values that would be accepted")


class Problem(BaseModel):
    """An RFC 9457 problem document: every 4xx and 5xx answer. Some carry more members
    (``allowed`` moves for a 409 on a referral, ``etag`` on a 428, ``checks`` on a 503)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "about:blank",
                    "title": "Invalid input",
                    "status": 422,
                    "detail": "1 problem(s) in the request",
                    "errors": [
                        {
                            "field": "needs.housing",
                            "message": "Input should be 1, 2, 3 or 4",
                            "allowed": ["1", "2", "3", "4"],
                        }
                    ],
                    "request_id": "3f2c9b0e6a1d4c7e",
                }
            ]
        },
    )
    type: str = Field(default="about:blank", description="A URI naming the kind of problem")
    title: str = Field(description="The status in words")
    status: int = Field(ge=100, le=599)
    detail: str = Field(description="What went wrong, in plain language")
    errors: list[ProblemField] | None = Field(default=None, description="Every problem found, by field")
    request_id: str | None = Field(default=None, description="The request's id (also in `X-Request-ID`)")


_REF = "#/components/schemas/Problem"
# the creating operations whose 201 names the new resource in ``Location`` (a feedback
# entry and a feedback code have no path of their own)
_LOCATED = frozenset(
    {"/option-lists", "/option-lists/{list_id}/choices", "/services", "/organizations", "/keys", "/webhooks"}
)
_IDEMPOTENT = _LOCATED | {"/feedback"}
_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes a retry safe (IETF Idempotency-Key draft): the same key with the same body on the same "
    "endpoint returns the first response (`Idempotent-Replayed: true`) and creates nothing twice; "
    "with another body or endpoint it is a 422; a malformed key is a 400. Keys expire after "
    "`FREECHOICE_IDEMPOTENCY_HOURS`.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 128},
    "example": "3d9e6f0a-retry-1",
}
# a time of day in a schedule is local wall time (the location's time zone), not an
# RFC 3339 ``full-time`` (which needs an offset): described as what is sent
_LOCAL_TIME = {
    "type": "string",
    "maxLength": 15,
    "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
    "description": "Local time of day at the place (HH:MM[:SS]), without offset",
}


def _local_times(node: Any) -> Any:
    if isinstance(node, dict):
        if node.get("format") == "time" and node.get("type") == "string":
            return {**{k: v for k, v in node.items() if k != "format"}, **_LOCAL_TIME}
        return {k: _local_times(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_local_times(v) for v in node]
    return node


def _models(base: type[BaseModel] = BaseModel) -> list[type[BaseModel]]:
    out: list[type[BaseModel]] = []
    for sub in base.__subclasses__():
        out += [sub, *_models(sub)]
    return out


def _restore_examples(schemas: dict[str, Any]) -> None:
    """FastAPI drops every ``null`` from the document, examples included (a nullable field
    then looks missing): put each model's examples back as written."""
    for model in _models():
        schema = schemas.get(model.__name__)
        extra = model.model_config.get("json_schema_extra")
        if schema is None or "examples" not in schema or not isinstance(extra, dict):
            continue
        names = {field.alias or name for name, field in model.model_fields.items()}
        if isinstance(extra.get("examples"), list) and names == set(schema.get("properties", {})):
            schema["examples"] = extra["examples"]


def _named_pages(document: dict[str, Any]) -> dict[str, Any]:
    """``Page[ServiceRecord]`` is ``ServiceRecordPage`` in ``components`` (pydantic would
    name it ``Page_ServiceRecord_``)."""
    schemas = document["components"]["schemas"]
    text = json.dumps(document)
    for name in list(schemas):
        match = re.fullmatch(r"Page_(\w+)_", name)
        if match:
            text = text.replace(f'"#/components/schemas/{name}"', f'"#/components/schemas/{match[1]}Page"')
            text = text.replace(f'"title": "Page[{match[1]}]"', f'"title": "{match[1]}Page"')
    out: dict[str, Any] = json.loads(text)
    schemas = out["components"]["schemas"] = {
        (f"{m[1]}Page" if (m := re.fullmatch(r"Page_(\w+)_", k)) else k): v
        for k, v in out["components"]["schemas"].items()
    }
    for name, schema in schemas.items():
        item = schemas.get(name.removesuffix("Page")) if name.endswith("Page") and name != "EventPage" else None
        if item and item.get("examples") and "next" in schema.get("properties", {}):
            schema["examples"] = [{"items": item["examples"][:1], "next": None}]  # a last page of one item
    return out


def _problem_response(status: int) -> dict[str, Any]:
    out: dict[str, Any] = {"description": TITLES.get(status, "Error"), "content": {MEDIA: {"schema": {"$ref": _REF}}}}
    if status == 401:
        out["headers"] = {
            "WWW-Authenticate": {"description": "The scheme to authenticate with: Bearer", "schema": {"type": "string"}}
        }
    elif status == 429:
        out["headers"] = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "string"}}}
    return out


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: statuses only that route sends (the common ones are
    added to every operation by :func:`install_contract`)."""
    return {status: _problem_response(status) for status in statuses}


def _statuses(method: str, operation: dict[str, Any]) -> set[int]:
    """The problems any operation of this shape can answer with."""
    found = {422, 500}  # the input guard refuses a NUL in any path or query; anything can fail
    security = operation.get("security")
    if security:
        found.add(401)  # a key given must be valid, even where it is optional
        if {} not in security:
            found.add(403)
    params = operation.get("parameters", [])
    if any(p["in"] == "path" or (p["in"] == "query" and p["name"].endswith("_id")) for p in params):
        found.add(404)  # an id that names nothing of yours
    headers = {p["name"].lower() for p in params if p["in"] == "header"}
    if "if-match" in headers:
        found |= {412, 428}
    if "requestBody" in operation:
        found |= {400, 413, 415}  # 400: the body is not JSON at all
    if method != "get":
        found |= {404, 409}  # writes name objects (ids in bodies too) and can conflict
    return found


def _contract(app: FastAPI) -> dict[str, Any]:
    document = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
        servers=app.servers,
        license_info=app.license_info,
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for model in (ProblemField, Problem):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schema.pop("$defs", None)
        schemas[model.__name__] = schema
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    document["components"]["schemas"] = schemas = _local_times(schemas)
    _restore_examples(schemas)
    for name, examples in EXAMPLES.items():
        if name in schemas:
            schemas[name].setdefault("examples", examples)
    document = _named_pages(document)
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            operation.setdefault("security", [])  # said, not left out: this operation needs no key
            declared = {int(code) for code in responses if code.isdigit() and int(code) >= 400}
            created = responses.get("201")
            if method == "post" and path in _IDEMPOTENT:
                operation.setdefault("parameters", []).append(_IDEMPOTENCY_KEY)
            if created is not None and path in _LOCATED:
                created.setdefault("headers", {})["Location"] = {
                    "description": "The new resource's path",
                    "schema": {"type": "string"},
                }
            for status in _statuses(method, operation) | declared:
                responses[str(status)] = _problem_response(status)
            operation["responses"] = dict(sorted(responses.items()))
    return document


def install_contract(app: FastAPI) -> None:
    """Build the app's OpenAPI document once, as above."""
    cached: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        if not cached:
            cached.update(_contract(app))
        return cached

    setter: Callable[[], dict[str, Any]] = openapi
    app.openapi = setter  # type: ignore[method-assign]
