"""The freechoice HSDS profile: what each freechoice attribute means and a JSON Schema
(Draft 2020-12) for the JSON value of each fact attribute, so a directory reading the
export can check and use the facts HSDS has no field for without reading freechoice's
code. Published in the export (``profile``) and at ``GET /hsds/profile``."""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:  # imported where a profile is checked (not needed to serve)
    from jsonschema import Draft202012Validator

from ..models import Service
from .vocabulary import (
    CONTACT_FACTS,
    FACT_FIELDS,
    ID_TERM,
    SHARED_FACTS,
    TAXONOMY_ID,
    TAXONOMY_URI,
    fact_term,
    hsds_id,
    kind_term,
)

__all__ = ["PROFILE_URI", "profile", "profile_errors"]

PROFILE_URI = f"{TAXONOMY_URI}/profile"
_DIALECT = "https://json-schema.org/draft/2020-12/schema"

# the contact facts: where HSDS's own field could not hold the value exactly
_CONTACT_SCHEMAS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "sample": (("organization",), {"type": "boolean"}),
    "description": (("organization",), {"type": "string"}),
    "email": (("organization", "service"), {"type": "string", "maxLength": 320}),
    "url": (("service",), {"type": "string", "maxLength": 2048}),
    "website": (("organization",), {"type": "string", "maxLength": 2048}),
}


_SHARED_DESCRIPTIONS = {
    "translations": "The record's words in client languages, by language code: name, description and (services "
    "only) application_process, with how each translation was made (provenance). The record's own fields are "
    "English; a client sees English, marked as such, where no translation is given.",
}


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            found.add(ref.removeprefix("#/$defs/"))
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def _standalone(prop: dict[str, Any], defs: dict[str, Any], field: str) -> dict[str, Any]:
    """One property of the model's schema as a schema of its own (with the $defs it uses)."""
    schema: dict[str, Any] = {
        "$schema": _DIALECT,
        "$id": f"{TAXONOMY_URI}/fact/{field}.schema.json",
        **{k: v for k, v in copy.deepcopy(prop).items() if k != "default"},
    }
    needed: set[str] = set()
    _refs(schema, needed)
    while True:
        more: set[str] = set()
        for name in needed:
            _refs(defs[name], more)
        if more <= needed:
            break
        needed |= more
    if needed:
        schema["$defs"] = {name: copy.deepcopy(defs[name]) for name in sorted(needed)}
    return schema


@lru_cache(maxsize=1)
def _profile() -> bytes:
    model = Service.model_json_schema(mode="serialization")
    defs = model.get("$defs", {})
    facts: dict[str, Any] = {}
    for field in FACT_FIELDS:
        facts[f"fact:{field}"] = {
            "taxonomy_term_id": fact_term(field),
            "term_uri": f"{TAXONOMY_URI}/fact/{field}",
            "link_entity": ["organization", "service"] if field in SHARED_FACTS else ["service"],
            "value": "JSON text of the schema below",
            "description": _SHARED_DESCRIPTIONS.get(field)
            or Service.model_fields[field].description
            or f"freechoice service field '{field}'",
            "schema": _standalone(model["properties"][field], defs, field),
        }
    for field, description in CONTACT_FACTS.items():
        entities, schema = _CONTACT_SCHEMAS[field]
        facts[f"fact:{field}"] = {
            "taxonomy_term_id": fact_term(field),
            "term_uri": f"{TAXONOMY_URI}/fact/{field}",
            "link_entity": list(entities),
            "value": "JSON text of the schema below",
            "description": description,
            "schema": {"$schema": _DIALECT, "$id": f"{TAXONOMY_URI}/fact/{field}.schema.json", **schema},
        }
    body = {
        "name": "freechoice",
        "uri": PROFILE_URI,
        "hsds_version": "3.1",
        "description": "Extension facts of freechoice (service matching for people leaving trafficking and forced "
        "labour) carried as HSDS attributes linked to terms of the freechoice taxonomy. A kind "
        "attribute has no value; a fact attribute's value is JSON text valid against its schema; "
        "facts equal to their default are left out.",
        "taxonomy": {"id": TAXONOMY_ID, "uri": TAXONOMY_URI},
        "identifier": {
            "taxonomy_term_id": hsds_id("term", ID_TERM),
            "term_uri": f"{TAXONOMY_URI}/{ID_TERM}",
            "value": "the record's id in freechoice (plain text)",
        },
        "kinds": {
            "term_uri_prefix": f"{TAXONOMY_URI}/kind/",
            "value": "none",
            "example_taxonomy_term_id": kind_term("legal_aid.wage_claim"),
        },
        "attributes": facts,
    }
    return orjson.dumps(body)


def profile() -> dict[str, Any]:
    """The profile as a JSON object (a fresh copy)."""
    return orjson.loads(_profile())  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def _validators() -> dict[str, tuple[tuple[str, ...], Draft202012Validator]]:
    from jsonschema import Draft202012Validator

    out = {}
    for name, entry in profile()["attributes"].items():
        out[entry["taxonomy_term_id"]] = (
            (name, *entry["link_entity"]),
            Draft202012Validator(entry["schema"], format_checker=Draft202012Validator.FORMAT_CHECKER),
        )
    return out


def profile_errors(doc: dict[str, Any]) -> list[str]:
    """Every way the freechoice attributes of an HSDS document (its ``organizations``
    and ``services``) break the profile: '<entity> <id>: <fact>: <problem>'."""
    from jsonschema.exceptions import best_match

    checks = _validators()
    out = []
    for entity, key in (("organization", "organizations"), ("service", "services")):
        for obj in doc.get(key) or []:
            for attr in obj.get("attributes") or []:
                found = checks.get(attr.get("taxonomy_term_id"))
                if found is None:
                    continue
                (name, *entities), check = found
                where = f"{entity} {obj.get('id')}: {name}"
                if entity not in entities:
                    out.append(f"{where}: not a fact of an {entity} (only {', '.join(entities)})")
                try:
                    value = orjson.loads(attr.get("value") or "")
                except ValueError:
                    out.append(f"{where}: the value is not JSON text")
                    continue
                for err in check.iter_errors(value):
                    e = best_match([err])  # inside anyOf (a fact that may be null): the branch that nearly fits
                    out.append(f"{where}: {'/'.join(map(str, e.absolute_path)) or '(value)'}: {e.message}")
    return out
