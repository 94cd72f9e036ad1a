"""The HSDS record a service or organisation was imported from, kept so the export gives
back what the other directory published (every field, child record and UUID,
including the fields freechoice does not use), for as long as nobody changed the
record in freechoice.

A kept source is ``{"record": <the HSDS object>, "fingerprint": <hash of the
freechoice fields mapped from it>}``. On export, an unchanged record goes out as given
with freechoice's attributes (kinds and facts) put in place of any earlier ones; a
record edited in freechoice goes out as freechoice has it, plus the source's fields
freechoice has no field for."""

from __future__ import annotations

import copy
import hashlib
from functools import lru_cache
from typing import Any

import orjson

from .vocabulary import taxonomy_objects

__all__ = ["fingerprint", "kept", "merged"]


# fields added after records were first imported: left out of the hash while empty, so
# sources kept before they existed still match (and go out as given)
_LATER_FIELDS: dict[str, Any] = {"application_process": None, "translations": {}}


def fingerprint(data: dict[str, Any]) -> str:
    """A hash of a record's freechoice fields (its JSON dump without ``hsds_source``)."""
    body = {k: v for k, v in data.items() if k != "hsds_source" and not (k in _LATER_FIELDS and v == _LATER_FIELDS[k])}
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()[:32]


def kept(record: dict[str, Any], data: dict[str, Any], drop: tuple[str, ...]) -> dict[str, Any]:
    """The source to keep for ``record`` imported as ``data`` (``drop``: nested objects
    that are records of their own, such as a service's ``organization``). The
    freechoice attributes an earlier export added are not part of the source."""
    body = {k: v for k, v in record.items() if k not in drop}
    attrs = body.get("attributes")
    if isinstance(attrs, list):
        theirs = [a for a in attrs if not (isinstance(a, dict) and a.get("taxonomy_term_id") in _ours())]
        if len(theirs) < len(attrs) and not theirs:
            del body["attributes"]
        else:
            body["attributes"] = theirs
    return {"record": body, "fingerprint": fingerprint(data)}


@lru_cache(maxsize=1)
def _ours() -> frozenset[str]:
    return frozenset(t["id"] for t in taxonomy_objects()[1])


def merged(generated: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The HSDS object to export for ``data`` (a record's JSON dump), given what
    freechoice generates for it."""
    source = data.get("hsds_source")
    if not isinstance(source, dict) or not isinstance(source.get("record"), dict):
        return generated
    record = source["record"]
    ours = _ours()
    if source.get("fingerprint") == fingerprint(data):
        out: dict[str, Any] = copy.deepcopy(record)
        out["id"] = generated["id"]
        if "status" in generated and out.get("status") in ("active", "inactive"):
            out["status"] = generated["status"]  # an unclassified service is imported inactive
        theirs = [a for a in out.get("attributes") or [] if a.get("taxonomy_term_id") not in ours]
        out["attributes"] = theirs + list(generated.get("attributes") or [])
        if not out["attributes"]:
            del out["attributes"]
        return out
    out = dict(generated)  # edited in freechoice: its version, plus the fields it has no field for
    for key, value in record.items():
        if key not in out:
            out[key] = copy.deepcopy(value)
    return out
