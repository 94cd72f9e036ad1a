"""The freechoice taxonomy as published in HSDS: stable ids and URIs for service kinds
and for the domain facts HSDS has no field for."""

from __future__ import annotations

import hashlib
import re
import uuid
from functools import cache
from typing import Any

from ..taxonomy import SERVICE_KINDS

__all__ = [
    "CONTACT_FACTS",
    "FACT_FIELDS",
    "ID_TERM",
    "NAMESPACE",
    "SHARED_FACTS",
    "TAXONOMY_ID",
    "TAXONOMY_URI",
    "fact_term",
    "hsds_id",
    "kind_term",
    "record_uuid",
    "taxonomy_objects",
]

NAMESPACE = uuid.UUID("6f1c2a4e-5b0d-4c8e-9a51-0f7c3d2b9e10")
TAXONOMY_URI = "https://freechoice.example.org/hsds/taxonomy/v1"

#: Service fields carried as attributes (JSON values): HSDS has no field for them, or
#: not one that keeps them exactly.
FACT_FIELDS: tuple[str, ...] = (
    "location",
    "service_areas",
    "remote",
    "required_documents",
    "eligibility",
    "reports_to_authorities",
    "reports_to",
    "contact_with",
    "adverse_parties",
    "represents_without_attending",
    "restricts_movement",
    "movement_note",
    "acts_without_client",
    "employment",
    "capacity",
    "requires",
    "refers_to",
    "translations",
)

#: Facts carried by organisations too (the same term and schema; an organisation's
#: translation has no ``application_process``).
SHARED_FACTS: tuple[str, ...] = ("translations",)


#: Facts of organisations, and contact details HSDS cannot hold as typed (an e-mail or web
#: address that its "email"/"uri" formats reject travels here instead, so nothing is lost).
CONTACT_FACTS: dict[str, str] = {
    "sample": "Fictional sample organisation (JSON boolean)",
    "description": "freechoice's own description of an organisation (JSON string)",
    "email": "E-mail address as stored in freechoice, where HSDS's email format rejects it (JSON string)",
    "url": "Web address of a service as stored in freechoice, where HSDS's uri format rejects it (JSON string)",
    "website": "Web address of an organisation as stored in freechoice, where HSDS's uri format rejects it "
    "(JSON string)",
}

_NS = NAMESPACE.bytes


def hsds_id(entity: str, key: str) -> str:
    """A stable UUID for a freechoice record (HSDS ids are UUIDs; freechoice ids are slugs).

    The same value as ``str(uuid.uuid5(NAMESPACE, f"{entity}:{key}"))``, computed without
    building UUID objects (an export makes about 40 per service).

    >>> hsds_id("service", "svc-a") == str(uuid.uuid5(NAMESPACE, "service:svc-a"))
    True
    """
    b = bytearray(hashlib.sha1(_NS + f"{entity}:{key}".encode()).digest()[:16])
    b[6] = (b[6] & 0x0F) | 0x50
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_UUID = re.compile(r"\A[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


def record_uuid(entity: str, key: str) -> str:
    """The HSDS id of an organisation or service: its freechoice id where that already is
    a (lowercase) UUID, as for records imported from another directory, so their ids
    stay the same on the way out; otherwise :func:`hsds_id`.

    >>> record_uuid("service", "2f0e8a52-2f0a-4a55-9d3c-7a1d6a3c5b01")
    '2f0e8a52-2f0a-4a55-9d3c-7a1d6a3c5b01'
    >>> record_uuid("service", "svc-a") == hsds_id("service", "svc-a")
    True
    """
    return key if _UUID.match(key) else hsds_id(entity, key)


TAXONOMY_ID = hsds_id("taxonomy", "freechoice")
ID_TERM = "freechoice-id"


@cache
def kind_term(kind: str) -> str:
    return hsds_id("term", f"kind:{kind}")


@cache
def fact_term(field: str) -> str:
    return hsds_id("term", f"fact:{field}")


def taxonomy_objects() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The freechoice taxonomy and its terms, as HSDS ``taxonomy`` and ``taxonomy_term`` objects."""
    taxonomy = {
        "id": TAXONOMY_ID,
        "name": "freechoice",
        "description": "Service kinds and domain facts of freechoice (matching for people leaving "
        "trafficking and forced labour). Attribute values of fact terms are JSON.",
        "uri": TAXONOMY_URI,
    }
    terms = [
        {
            "id": hsds_id("term", ID_TERM),
            "name": ID_TERM,
            "description": "The record's id in freechoice.",
            "taxonomy_id": TAXONOMY_ID,
            "term_uri": f"{TAXONOMY_URI}/{ID_TERM}",
        }
    ]
    for kind in SERVICE_KINDS.values():
        terms.append(
            {
                "id": kind_term(kind.id),
                "name": kind.id,
                "description": kind.label,
                "taxonomy_id": TAXONOMY_ID,
                "term_uri": f"{TAXONOMY_URI}/kind/{kind.id}",
            }
        )
    for field in FACT_FIELDS:
        terms.append(
            {
                "id": fact_term(field),
                "name": f"fact:{field}",
                "description": f"freechoice service field '{field}' (JSON)",
                "taxonomy_id": TAXONOMY_ID,
                "term_uri": f"{TAXONOMY_URI}/fact/{field}",
            }
        )
    for field, description in CONTACT_FACTS.items():
        terms.append(
            {
                "id": fact_term(field),
                "name": f"fact:{field}",
                "description": description,
                "taxonomy_id": TAXONOMY_ID,
                "term_uri": f"{TAXONOMY_URI}/fact/{field}",
            }
        )
    return taxonomy, terms
