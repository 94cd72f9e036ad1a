"""Exporting the catalog as HSDS 3.1 JSON."""

from __future__ import annotations

import datetime as dt
import json

import orjson
from typing import Any, Callable, Iterable

from ..index import Catalog
from ..models import Organization, Service
from ..taxonomy import SERVICE_KINDS
from .vocabulary import FACT_FIELDS, ID_TERM, fact_term, hsds_id, kind_term, taxonomy_objects

__all__ = ["export_catalog", "export_organization", "export_service"]

_PARTY_TEXT = {"never": None, "with_consent": "only with the client's consent", "mandatory": "always"}


def _attr(link_entity: str, link_id: str, term_id: str, value: str | None, label: str) -> dict[str, Any]:
    out = {
        "id": hsds_id("attribute", f"{link_entity}:{link_id}:{term_id}"),
        "link_id": link_id, "link_type": "freechoice", "link_entity": link_entity,
        "taxonomy_term_id": term_id, "label": label,
    }
    if value is not None:
        out["value"] = value
    return out


def export_organization(org: Organization) -> dict[str, Any]:
    oid = hsds_id("organization", org.id)
    out: dict[str, Any] = {"id": oid, "name": org.name, "description": org.description or org.name}
    if org.email:
        out["email"] = org.email
    if org.website:
        out["website"] = org.website
    if org.phone:
        out["phones"] = [{"id": hsds_id("phone", f"org:{org.id}"), "organization_id": oid, "number": org.phone}]
    out["attributes"] = [
        _attr("organization", oid, hsds_id("term", ID_TERM), org.id, ID_TERM),
        _attr("organization", oid, fact_term("sample"), json.dumps(org.sample), "fact:sample"),
        # HSDS requires a description; keep freechoice's own (possibly empty) one exactly
        _attr("organization", oid, fact_term("description"), json.dumps(org.description), "fact:description"),
    ]
    return out


def _location(svc: Service, sid: str) -> list[dict[str, Any]]:
    loc = svc.location
    if loc is None:
        return []
    lid = hsds_id("location", svc.id)
    location: dict[str, Any] = {"id": lid, "location_type": "physical", "organization_id": hsds_id("organization", svc.organization_id)}
    if loc.name:
        location["name"] = loc.name
    if loc.latitude is not None:
        location["latitude"] = loc.latitude
    if loc.longitude is not None:
        location["longitude"] = loc.longitude
    location["addresses"] = [{
        "id": hsds_id("address", svc.id), "location_id": lid, "address_1": loc.address_1 or "", "city": loc.city or "",
        "state_province": loc.area or "", "postal_code": "", "country": loc.country, "address_type": "physical",
    }]
    return [{"id": hsds_id("service_at_location", svc.id), "service_id": sid, "location_id": lid, "location": location}]


def export_service(svc: Service) -> dict[str, Any]:
    """One service as an HSDS 3.1 ``service`` object with its nested objects."""
    sid = hsds_id("service", svc.id)
    data = svc.model_dump(mode="json")
    out: dict[str, Any] = {
        "id": sid,
        "organization_id": hsds_id("organization", svc.organization_id),
        "name": svc.name,
        "description": svc.description,
        "status": svc.status,
    }
    if svc.url:
        out["url"] = svc.url
    if svc.email:
        out["email"] = svc.email
    if svc.interpretation:
        out["interpretation_services"] = "Interpretation provided for other languages"
    el = svc.eligibility
    if el.minimum_age is not None:
        out["minimum_age"] = el.minimum_age
    if el.maximum_age is not None:
        out["maximum_age"] = el.maximum_age
    if el.description:
        out["eligibility_description"] = el.description
    if svc.reports_to_authorities != "never":
        out["alert"] = f"Reports client details to {', '.join(svc.reports_to)} {_PARTY_TEXT[svc.reports_to_authorities]}."
    if svc.phone:
        out["phones"] = [{"id": hsds_id("phone", svc.id), "service_id": sid, "number": svc.phone}]
    out["service_areas"] = [
        {"id": hsds_id("service_area", f"{svc.id}:{i}"), "service_id": sid,
         "name": a.name or ", ".join(x for x in (a.area, a.country) if x), "extent_type": "freechoice-area",
         "extent": json.dumps({"country": a.country, "area": a.area})}
        for i, a in enumerate(svc.service_areas)
    ]
    out["languages"] = [{"id": hsds_id("language", f"{svc.id}:{c}"), "service_id": sid, "code": c} for c in svc.languages]
    out["cost_options"] = [
        {"id": hsds_id("cost_option", f"{svc.id}:{i}"), "service_id": sid,
         **{k: v for k, v in c.model_dump(mode="json").items() if v is not None}}
        for i, c in enumerate(svc.cost_options)
    ]
    out["schedules"] = [
        {"id": hsds_id("schedule", f"{svc.id}:{i}"), "service_id": sid,
         **{k: v for k, v in s.model_dump(mode="json").items() if v is not None}}
        for i, s in enumerate(svc.schedules)
    ]
    out["required_documents"] = [
        {"id": hsds_id("required_document", f"{svc.id}:{i}"), "service_id": sid, "document": d.document}
        for i, d in enumerate(svc.required_documents)
    ]
    out["contacts"] = (
        [{"id": hsds_id("contact", svc.id), "service_id": sid, "email": svc.email}] if svc.email else []
    )
    cap = svc.capacity
    if cap.available is not None:
        updated = dt.datetime.combine(cap.updated or dt.date(2000, 1, 1), dt.time(), tzinfo=dt.timezone.utc)
        capacity: dict[str, Any] = {
            "id": hsds_id("service_capacity", svc.id), "service_id": sid,
            "unit": {"id": hsds_id("unit", "places"), "name": "places"},
            "available": cap.available, "updated": updated.isoformat().replace("+00:00", "Z"),
            "description": cap.status + (f" until {cap.until.isoformat()}" if cap.until else ""),
        }
        if cap.maximum is not None:
            capacity["maximum"] = cap.maximum
        out["capacities"] = [capacity]
    out["service_at_locations"] = _location(svc, sid)
    attrs = [_attr("service", sid, hsds_id("term", ID_TERM), svc.id, ID_TERM)]
    attrs += [_attr("service", sid, kind_term(k), None, SERVICE_KINDS[k].label) for k in svc.kinds]
    attrs += [_attr("service", sid, fact_term(f), orjson.dumps(data[f]).decode(), f"fact:{f}") for f in FACT_FIELDS]
    out["attributes"] = attrs
    return out


def export_catalog(catalog: Catalog, *, organization_id: str | None = None,
                   progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """The catalog (or one organisation's part) as one HSDS 3.1 JSON document:
    the freechoice taxonomy and its terms, organizations, and services with their
    locations, service_at_locations, service_areas, languages, cost_options,
    schedules, required_documents, phones, contacts, capacities and attributes."""
    orgs: Iterable[Organization] = sorted(catalog.organizations.values(), key=lambda o: o.id)
    services = sorted(catalog, key=lambda s: s.id)
    if organization_id is not None:
        orgs = [catalog.organization(organization_id)]
        services = [s for s in services if s.organization_id == organization_id]
    taxonomy, terms = taxonomy_objects()
    out_services = []
    for i, svc in enumerate(services):
        out_services.append(export_service(svc))
        if progress is not None and i % 500 == 499:
            progress(500)
    if progress is not None:
        progress(len(services) % 500)
    return {
        "hsds_version": "3.1",
        "generator": "freechoice",
        "sample": catalog.sample,
        "notice": "FICTIONAL SAMPLE DATA" if catalog.sample else None,
        "taxonomies": [taxonomy],
        "taxonomy_terms": terms,
        "organizations": [export_organization(o) for o in orgs],
        "services": out_services,
    }
