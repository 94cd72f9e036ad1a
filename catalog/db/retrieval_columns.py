"""What in-database retrieval reads of a service, kept in columns beside its JSON.

Every service write stores these in the same transaction as the record (see
:mod:`.catalog_store`); the database-backed catalog (:mod:`.db_catalog`) answers
candidate questions with them. Place keys are normalised strings:

- ``p:<country>:<area>`` served in person in that area (area normalised as the in-memory
  index does; empty for country-wide),
- ``r:<country>`` served remotely in that country,
- ``c:<country>`` anywhere in that country (for "where to look further").
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from freechoice.catalog.codes import normalise_area
from freechoice.catalog.index import Place, lifted_requires
from freechoice.catalog.models import Organization, Service

__all__ = [
    "client_place_keys",
    "country_key",
    "organization_digest",
    "place_key",
    "remote_key",
    "service_columns",
    "service_digest",
]


def place_key(country: str, area: str | None) -> str:
    """The key of in-person service in ``area`` of ``country`` (None: country-wide)."""
    return f"p:{country}:{normalise_area(area) or ''}"


def remote_key(country: str) -> str:
    return f"r:{country}"


def country_key(country: str) -> str:
    return f"c:{country}"


def client_place_keys(places: Iterable[Place]) -> list[str]:
    """The keys a service serving any of ``places`` carries: in person there, country-wide,
    or remotely in the country (what ``Catalog.candidates`` reads)."""
    keys: set[str] = set()
    for country, area in places:
        keys.update((place_key(country, area), place_key(country, None), remote_key(country)))
    return sorted(keys)


def service_digest(service: Service) -> str:
    """The content hash the in-memory catalog gives the same service (``Catalog.digest``)."""
    return hashlib.sha256(service.model_dump_json().encode()).hexdigest()


def organization_digest(org: Organization) -> str:
    return hashlib.sha256(org.model_dump_json().encode()).hexdigest()


def service_columns(service: Service, dumped: str | None = None) -> dict[str, Any]:
    """The retrieval columns of ``service`` (sorted lists: equal content, equal columns);
    ``dumped``: its ``model_dump_json()`` when the caller has it already."""
    keys: set[str] = set()
    for country, area in service.places():
        keys.add(country_key(country))
        keys.add(remote_key(country) if service.remote else place_key(country, area))
    return {
        "active": service.status == "active",
        "kinds": sorted(set(service.kinds)),
        "place_keys": sorted(keys),
        "languages": sorted(set(service.languages)),
        "interpretation": bool(service.interpretation),
        "lifted": sorted(f"{own}>{req}" for own, req in lifted_requires(service)),
        "digest": hashlib.sha256(dumped.encode()).hexdigest() if dumped is not None else service_digest(service),
    }
