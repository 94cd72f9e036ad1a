"""Exporting the catalog as HSDS 3.1 JSON."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import orjson

from ..bulk import gc_paused
from ..errors import CatalogError
from ..index import Catalog
from ..models import Organization, Service
from ..taxonomy import SERVICE_KINDS
from .profiles import profile
from .schema import fits_format
from .source import merged
from .vocabulary import FACT_FIELDS, ID_TERM, fact_term, hsds_id, kind_term, record_uuid, taxonomy_objects

__all__ = ["export_catalog", "export_organization", "export_service"]

_PARTY_TEXT = {"never": None, "with_consent": "only with the client's consent", "mandatory": "always"}
_ID_TERM_ID = hsds_id("term", ID_TERM)


def _json_default(field: str) -> Any:
    value = Service.model_fields[field].get_default(call_default_factory=True)
    return value.model_dump(mode="json") if hasattr(value, "model_dump") else value


# A fact equal to the model's default is left out; the import fills the default back in.
_DEFAULTS = {f: _json_default(f) for f in FACT_FIELDS}


def _attr(link_entity: str, link_id: str, term_id: str, value: str | None, label: str) -> dict[str, Any]:
    out = {
        "id": hsds_id("attribute", f"{link_entity}:{link_id}:{term_id}"),
        "link_id": link_id,
        "link_type": "freechoice",
        "link_entity": link_entity,
        "taxonomy_term_id": term_id,
        "label": label,
    }
    if value is not None:
        out["value"] = value
    return out


def _typed(
    out: dict[str, Any], attrs: list[dict[str, Any]], entity: str, link_id: str, field: str, fmt: str, value: str | None
) -> None:
    """Put a contact detail in its HSDS field, or (where HSDS's format rejects it) in a fact attribute."""
    if value is None:
        return
    if fits_format(fmt, value):
        out[field] = value
    else:
        attrs.append(_attr(entity, link_id, fact_term(field), orjson.dumps(value).decode(), f"fact:{field}"))


def export_organization(org: Organization) -> dict[str, Any]:
    """One organisation as an HSDS 3.1 ``organization`` object."""
    oid = record_uuid("organization", org.id)
    out: dict[str, Any] = {"id": oid, "name": org.name, "description": org.description or org.name}
    attrs = [
        _attr("organization", oid, _ID_TERM_ID, org.id, ID_TERM),
        _attr("organization", oid, fact_term("sample"), json.dumps(org.sample), "fact:sample"),
        # HSDS requires a description; keep freechoice's own (possibly empty) one exactly
        _attr("organization", oid, fact_term("description"), json.dumps(org.description), "fact:description"),
    ]
    _typed(out, attrs, "organization", oid, "email", "email", org.email)
    _typed(out, attrs, "organization", oid, "website", "uri", org.website)
    if org.translations:
        texts = {lang: t.model_dump(mode="json", exclude_none=True) for lang, t in org.translations.items()}
        attrs.append(
            _attr("organization", oid, fact_term("translations"), orjson.dumps(texts).decode(), "fact:translations")
        )
    if org.phone is not None:
        out["phones"] = [{"id": hsds_id("phone", f"org:{org.id}"), "organization_id": oid, "number": org.phone}]
    out["attributes"] = attrs
    return merged(out, org.model_dump(mode="json")) if org.hsds_source else out


def _location(d: dict[str, Any], sid: str) -> list[dict[str, Any]]:
    loc = d.get("location")
    if not loc:
        return []
    lid = hsds_id("location", d["id"])
    location: dict[str, Any] = {
        "id": lid,
        "location_type": "physical",
        "organization_id": record_uuid("organization", d["organization_id"]),
    }
    if loc.get("name"):
        location["name"] = loc["name"]
    if loc.get("latitude") is not None:
        location["latitude"] = loc["latitude"]
    if loc.get("longitude") is not None:
        location["longitude"] = loc["longitude"]
    location["addresses"] = [
        {
            "id": hsds_id("address", d["id"]),
            "location_id": lid,
            "address_1": loc.get("address_1") or "",
            "city": loc.get("city") or "",
            "state_province": loc.get("area") or "",
            "postal_code": "",
            "country": loc["country"],
            "address_type": "physical",
        }
    ]
    return [
        {"id": hsds_id("service_at_location", d["id"]), "service_id": sid, "location_id": lid, "location": location}
    ]


def _present(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if v is not None}


def export_service(svc: Service | dict[str, Any]) -> dict[str, Any]:
    """One service (a :class:`Service`, or its JSON dict as stored) as an HSDS 3.1
    ``service`` object with its nested objects."""
    d = svc if isinstance(svc, dict) else svc.model_dump(mode="json")
    key = d["id"]
    sid = record_uuid("service", key)
    out: dict[str, Any] = {
        "id": sid,
        "organization_id": record_uuid("organization", d["organization_id"]),
        "name": d["name"],
        "description": d.get("description", ""),
        "status": d.get("status", "active"),
    }
    attrs = [_attr("service", sid, _ID_TERM_ID, key, ID_TERM)]
    _typed(out, attrs, "service", sid, "url", "uri", d.get("url"))
    _typed(out, attrs, "service", sid, "email", "email", d.get("email"))
    if d.get("application_process") is not None:
        out["application_process"] = d["application_process"]
    if d.get("interpretation"):
        out["interpretation_services"] = "Interpretation provided for other languages"
    el = d.get("eligibility") or {}
    if el.get("minimum_age") is not None:
        out["minimum_age"] = el["minimum_age"]
    if el.get("maximum_age") is not None:
        out["maximum_age"] = el["maximum_age"]
    if el.get("description"):
        out["eligibility_description"] = el["description"]
    mode = d.get("reports_to_authorities", "never")
    if mode != "never":
        out["alert"] = f"Reports client details to {', '.join(d.get('reports_to', []))} {_PARTY_TEXT[mode]}."
    if d.get("phone") is not None:
        out["phones"] = [{"id": hsds_id("phone", key), "service_id": sid, "number": d["phone"]}]
    out["service_areas"] = [
        {
            "id": hsds_id("service_area", f"{key}:{i}"),
            "service_id": sid,
            "name": a.get("name") or ", ".join(x for x in (a.get("area"), a["country"]) if x),
            "extent_type": "freechoice-area",
            "extent": orjson.dumps({"country": a["country"], "area": a.get("area")}).decode(),
        }
        for i, a in enumerate(d.get("service_areas") or [])
    ]
    out["languages"] = [
        {"id": hsds_id("language", f"{key}:{c}"), "service_id": sid, "code": c} for c in d.get("languages") or []
    ]
    out["cost_options"] = [
        {"id": hsds_id("cost_option", f"{key}:{i}"), "service_id": sid, **_present(c)}
        for i, c in enumerate(d.get("cost_options") or [])
    ]
    out["schedules"] = [
        {"id": hsds_id("schedule", f"{key}:{i}"), "service_id": sid, **_present(x)}
        for i, x in enumerate(d.get("schedules") or [])
    ]
    out["required_documents"] = [
        {"id": hsds_id("required_document", f"{key}:{i}"), "service_id": sid, "document": doc["document"]}
        for i, doc in enumerate(d.get("required_documents") or [])
    ]
    out["contacts"] = (
        [{"id": hsds_id("contact", key), "service_id": sid, "email": out["email"]}] if "email" in out else []
    )
    cap = d.get("capacity") or {}
    if cap.get("available") is not None:
        updated = (cap.get("updated") or "2000-01-01") + "T00:00:00Z"
        capacity: dict[str, Any] = {
            "id": hsds_id("service_capacity", key),
            "service_id": sid,
            "unit": {"id": hsds_id("unit", "places"), "name": "places"},
            "available": cap["available"],
            "updated": updated,
            "description": cap.get("status", "open") + (f" until {cap['until']}" if cap.get("until") else ""),
        }
        if cap.get("maximum") is not None:
            capacity["maximum"] = cap["maximum"]
        out["capacities"] = [capacity]
    out["service_at_locations"] = _location(d, sid)
    attrs += [_attr("service", sid, kind_term(k), None, SERVICE_KINDS[k].label) for k in d["kinds"]]
    attrs += [
        _attr("service", sid, fact_term(f), orjson.dumps(d.get(f)).decode(), f"fact:{f}")
        for f in FACT_FIELDS
        if d.get(f) != _DEFAULTS[f]
    ]
    out["attributes"] = attrs
    return merged(out, d)


def _marked(record: dict[str, Any], deactivated: bool) -> dict[str, Any]:
    if deactivated:
        record["organization_active"] = False
    return record


def export_catalog(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """The catalog (or one organisation's part) as one HSDS 3.1 JSON document
    (see :func:`_export_catalog` for the parameters)."""
    with gc_paused():
        return _export_catalog(*args, **kwargs)


def _export_catalog(
    catalog: Catalog | tuple[Iterable[Organization], Iterable[dict[str, Any]]],
    *,
    organization_id: str | None = None,
    sample: bool | None = None,
    progress: Callable[[int], None] | None = None,
    deactivated: Iterable[str] = (),
    include_deactivated: bool = False,
) -> dict[str, Any]:
    """The catalog (or one organisation's part) as one HSDS 3.1 JSON document:
    the freechoice profile (a JSON Schema for each fact attribute), the freechoice
    taxonomy and its terms, organizations, and services with their
    locations, service_at_locations, service_areas, languages, cost_options,
    schedules, required_documents, phones, contacts, capacities and attributes.

    Deactivated organisations (``deactivated``, and a catalog's own
    ``inactive_organizations``) and their services are not offered, so they are left
    out; ``include_deactivated`` puts them in, each marked ``"organization_active": false``."""
    inactive = set(deactivated)
    if isinstance(catalog, Catalog):
        all_orgs = list(catalog.organizations.values())
        services: list[Any] = [s.model_dump(mode="json") for s in catalog]
        sample = catalog.sample if sample is None else sample
        inactive |= catalog.inactive_organizations
    else:
        all_orgs, services = list(catalog[0]), list(catalog[1])
    orgs = sorted(all_orgs, key=lambda o: o.id)
    services.sort(key=lambda d: d["id"])
    if organization_id is not None:
        orgs = [o for o in orgs if o.id == organization_id]
        if not orgs:
            raise CatalogError(f"no organization {organization_id!r}")
        if organization_id in inactive and not include_deactivated:
            raise CatalogError(
                f"organization {organization_id!r} is deactivated: its services are not offered "
                "(include_deactivated=True, or --include-deactivated, exports them marked)"
            )
        services = [d for d in services if d["organization_id"] == organization_id]
    if inactive and not include_deactivated:
        orgs = [o for o in orgs if o.id not in inactive]
        services = [d for d in services if d["organization_id"] not in inactive]
    taxonomy, terms = taxonomy_objects()
    out_services = []
    for i, svc in enumerate(services):
        out_services.append(export_service(svc))
        if svc["organization_id"] in inactive:
            out_services[-1]["organization_active"] = False
        if progress is not None and i % 500 == 499:
            progress(500)
    if progress is not None:
        progress(len(services) % 500)
    return {
        "hsds_version": "3.1",
        "generator": "freechoice",
        "sample": bool(sample),
        "notice": "FICTIONAL SAMPLE DATA" if sample else None,
        "profile": profile(),
        "taxonomies": [taxonomy],
        "taxonomy_terms": terms,
        "organizations": [_marked(export_organization(o), o.id in inactive) for o in orgs],
        "services": out_services,
    }
