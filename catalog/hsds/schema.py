"""Validation against the HSDS 3.1 JSON Schemas (Draft 2020-12, formats checked).

Imports validate with jsonschema-rs (compiled, about 300 times faster than the pure
Python validator on these schemas); :func:`validator` gives the reference
``jsonschema`` validator with a ``referencing`` registry, which the tests use as the
independent check of the export."""

from __future__ import annotations

import json
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema_rs

if TYPE_CHECKING:  # the reference validator is imported where it is used (not needed to serve)
    from jsonschema import Draft202012Validator
    from referencing import Registry

__all__ = ["SCHEMA_NAMES", "fits_format", "hsds_errors", "property_types", "registry_from", "validator"]

SCHEMA_NAMES = ("organization", "service", "taxonomy", "taxonomy_term", "location", "service_at_location")


def registry_from(folder: Path | Any) -> Registry:
    """A referencing registry over every ``*.json`` schema in ``folder`` (bare relative refs)."""
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resources_ = []
    for entry in folder.iterdir():
        if entry.name.endswith(".json") and entry.name != "openapi.json":
            contents = json.loads(entry.read_text(encoding="utf-8"))
            resources_.append((entry.name, Resource.from_contents(contents, default_specification=DRAFT202012)))
    return Registry().with_resources(resources_)


@lru_cache(maxsize=1)
def _bundled() -> Registry:
    return registry_from(resources.files("freechoice.catalog.hsds").joinpath("schema"))


def validator(name: str, registry: Registry | None = None) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    reg = registry or _bundled()
    schema = reg.contents(f"{name}.json")
    return Draft202012Validator(schema, registry=reg, format_checker=Draft202012Validator.FORMAT_CHECKER)


@lru_cache(maxsize=1)
def _bundled_documents() -> dict[str, Any]:
    folder = resources.files("freechoice.catalog.hsds").joinpath("schema")
    return {
        e.name: json.loads(e.read_text(encoding="utf-8"))
        for e in folder.iterdir()
        if e.name.endswith(".json") and e.name != "openapi.json"
    }


@cache
def property_types(name: str) -> dict[str, str]:
    """property -> JSON type of the HSDS ``name`` schema's own fields (as a CSV column holds them)."""
    props = _bundled_documents()[f"{name}.json"].get("properties") or {}
    return {k: str(v.get("type")) for k, v in props.items() if isinstance(v, dict) and isinstance(v.get("type"), str)}


@cache
def _fast(name: str) -> Any:
    docs = _bundled_documents()

    def retrieve(uri: str) -> Any:
        return docs[uri.rsplit("/", 1)[-1]]

    return jsonschema_rs.Draft202012Validator(
        docs[f"{name}.json"],
        validate_formats=True,
        retriever=retrieve,
        base_uri=f"https://hsds.invalid/schema/{name}.json",
    )


def hsds_errors(obj: Any, name: str) -> list[tuple[str, str, list[Any] | None]]:
    """(field path, problem, allowed values or None) for every way ``obj`` breaks the
    HSDS ``name`` schema; a missing required property is named as the field."""
    out = []
    for err in _fast(name).iter_errors(obj):
        parts = [str(p) for p in err.instance_path]
        missing = getattr(err.kind, "property", None) if type(err.kind).__name__ == "Required" else None
        if missing is not None:
            parts.append(str(missing))
        options = getattr(err.kind, "options", None) if type(err.kind).__name__ == "Enum" else None
        out.append((".".join(parts) or "(object)", err.message, list(options) if options else None))
    return sorted(out, key=lambda e: (e[0], e[1]))


@cache
def _format(fmt: str) -> Any:
    return jsonschema_rs.Draft202012Validator({"type": "string", "format": fmt}, validate_formats=True)


def fits_format(fmt: str, value: str) -> bool:
    """Whether ``value`` passes the JSON Schema ``format`` check (as imports apply it).

    >>> fits_format("email", "help@example.org"), fits_format("uri", "example.org")
    (True, False)
    """
    return bool(_format(fmt).is_valid(value))
