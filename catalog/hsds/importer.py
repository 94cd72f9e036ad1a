"""Importing HSDS 3.1 JSON: records that carry the freechoice taxonomy come back
exactly; others import with what can be inferred, and every service no kind could be
inferred for is kept inactive (kind ``unclassified``) and listed in the report."""

from __future__ import annotations

import json

import orjson
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..bulk import gc_paused
from ..errors import Problem, ValidationFailed
from ..models import Organization, Service
from ..taxonomy import SERVICE_KIND_IDS
from .schema import hsds_errors
from .vocabulary import FACT_FIELDS, ID_TERM, fact_term, hsds_id, kind_term

__all__ = ["HsdsImport", "parse_hsds", "read_hsds"]

_KIND_BY_TERM = {kind_term(k): k for k in SERVICE_KIND_IDS}
_FACT_BY_TERM = {fact_term(f): f for f in (*FACT_FIELDS, "sample", "description")}
_ID_TERM = hsds_id("term", ID_TERM)
# Keywords for records from other directories (first match wins; checked in name then description).
_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("wage", "legal_aid.wage_claim"), ("labour court", "legal_aid.labour_court"), ("labor court", "legal_aid.labour_court"),
    ("legal", "legal_aid.information"), ("lawyer", "legal_aid.information"), ("passport", "documents.identity"),
    ("identity", "documents.identity"), ("work permit", "documents.work_permit"), ("shelter", "housing.shelter"),
    ("housing", "housing.rental_support"), ("rent", "housing.rental_support"), ("food", "food.meals"),
    ("meal", "food.meals"), ("hospital", "health.hospital"), ("clinic", "health.primary_care"),
    ("medical", "health.primary_care"), ("counsel", "health.psychosocial"), ("mental", "health.psychosocial"),
    ("hotline", "safety.hotline"), ("helpline", "safety.hotline"), ("debt", "financial.debt_advice"),
    ("cash", "financial.emergency_grant"), ("grant", "financial.emergency_grant"), ("school", "education.school_enrolment"),
    ("vocational", "training.vocational"), ("training", "training.vocational"), ("family", "family.contact_support"),
)
_FILES = {
    "organizations": ("organizations.json", "organization.json"),
    "services": ("services.json", "service.json"),
}
_CHILD_FILES = {
    "phones": "phones.json", "schedules": "schedules.json", "service_areas": "service_areas.json",
    "languages": "languages.json", "cost_options": "cost_options.json", "required_documents": "required_documents.json",
    "contacts": "contacts.json", "capacities": "service_capacities.json", "service_at_locations": "service_at_locations.json",
}


@dataclass
class HsdsImport:
    """What an HSDS file or folder maps to, before anything is stored."""

    organizations: list[Organization]
    services: list[Service]
    unclassified: list[dict[str, str]] = field(default_factory=list)
    inferred: list[dict[str, str]] = field(default_factory=list)

    def report(self) -> dict[str, Any]:
        return {
            "organizations": len(self.organizations),
            "services": len(self.services),
            "inferred": self.inferred,
            "unclassified": self.unclassified,
        }


def read_hsds(path: str | Path) -> Any:
    with gc_paused():
        return _read_hsds(path)


def _read_hsds(path: str | Path) -> Any:
    """Read an HSDS JSON file, or a folder of object files (organizations.json,
    services.json and flat child files such as phones.json, locations.json, linked by
    ids), into one document."""
    p = Path(path)
    if p.is_file():
        try:
            return orjson.loads(p.read_bytes())
        except ValueError as err:
            raise ValidationFailed([Problem(str(p), f"not valid JSON: {err}")], what="HSDS file") from None
    if not p.is_dir():
        raise ValidationFailed([Problem(str(p), "no such file or folder")], what="HSDS input")

    def load(name: str) -> list[Any]:
        f = p / name
        if not f.exists():
            return []
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except ValueError as err:
            raise ValidationFailed([Problem(name, f"not valid JSON: {err}")], what="HSDS folder") from None
        return data if isinstance(data, list) else [data]

    doc: dict[str, Any] = {
        "organizations": [x for n in _FILES["organizations"] for x in load(n)],
        "services": [x for n in _FILES["services"] for x in load(n)],
    }
    by_service: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for child, fname in _CHILD_FILES.items():
        for obj in load(fname):
            by_service[obj.get("service_id", "")][child].append(obj)
    locations = {loc.get("id"): loc for loc in load("locations.json")}
    addresses: dict[str, list[Any]] = defaultdict(list)
    for a in load("addresses.json"):
        addresses[a.get("location_id", "")].append(a)
    attributes: dict[str, list[Any]] = defaultdict(list)
    for a in load("attributes.json"):
        attributes[a.get("link_id", "")].append(a)
    for svc in doc["services"]:
        for child, items in by_service.get(svc.get("id", ""), {}).items():
            svc.setdefault(child, []).extend(items)
        for sal in svc.get("service_at_locations", []):
            loc = locations.get(sal.get("location_id"))
            if loc is not None and "location" not in sal:
                sal["location"] = {**loc, "addresses": loc.get("addresses") or addresses.get(loc.get("id", ""), [])}
        svc.setdefault("attributes", []).extend(attributes.get(svc.get("id", ""), []))
    for org in doc["organizations"]:
        org.setdefault("attributes", []).extend(attributes.get(org.get("id", ""), []))
    return doc


def _attrs(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in obj.get("attributes") or [] if isinstance(a, dict)]


def _fc_id(obj: dict[str, Any]) -> str | None:
    for a in _attrs(obj):
        if a.get("taxonomy_term_id") == _ID_TERM and a.get("value"):
            return str(a["value"])
    return None


def _org(obj: dict[str, Any]) -> Organization:
    facts = {_FACT_BY_TERM[a["taxonomy_term_id"]]: orjson.loads(a["value"]) for a in _attrs(obj)
             if a.get("taxonomy_term_id") in _FACT_BY_TERM and a.get("value") is not None}
    phones = obj.get("phones") or []
    return Organization(
        id=_fc_id(obj) or obj["id"], name=obj["name"],
        description=facts["description"] if "description" in facts else obj.get("description") or "",
        email=obj.get("email"), website=obj.get("website"), phone=phones[0]["number"] if phones else None,
        sample=bool(facts.get("sample", False)),
    )


def _infer_kinds(obj: dict[str, Any]) -> tuple[list[str], str]:
    names = [str((a.get("taxonomy_term") or {}).get("name", "")) for a in _attrs(obj)]
    direct = [n for n in names if n in SERVICE_KIND_IDS]
    if direct:
        return direct, "taxonomy term"
    for text in (obj.get("name", ""), obj.get("description", "")):
        low = str(text).lower()
        for word, kind in _KEYWORDS:
            if word in low:
                return [kind], f"keyword '{word}'"
    return [], ""


def _place(obj: dict[str, Any]) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    location = None
    for sal in obj.get("service_at_locations") or []:
        loc = sal.get("location") or {}
        for addr in loc.get("addresses") or []:
            if addr.get("country"):
                location = {"name": loc.get("name"), "address_1": addr.get("address_1") or None, "city": addr.get("city") or None,
                            "area": addr.get("state_province") or None, "country": str(addr["country"]).upper()[:2],
                            "latitude": loc.get("latitude"), "longitude": loc.get("longitude")}
                break
        if location:
            break
    areas = []
    for a in obj.get("service_areas") or []:
        if a.get("extent_type") == "freechoice-area" and a.get("extent"):
            areas.append(orjson.loads(a["extent"]))
    return location, areas


def _service(obj: dict[str, Any], org_ids: dict[str, str]) -> tuple[dict[str, Any], bool, str]:
    """A freechoice service dict from an HSDS service; (data, carried freechoice facts, how kinds were found)."""
    attrs = _attrs(obj)
    facts = {_FACT_BY_TERM[a["taxonomy_term_id"]]: orjson.loads(a["value"]) for a in attrs
             if a.get("taxonomy_term_id") in _FACT_BY_TERM and a.get("value") is not None}
    kinds = [_KIND_BY_TERM[a["taxonomy_term_id"]] for a in attrs if a.get("taxonomy_term_id") in _KIND_BY_TERM]
    native = bool(facts) and bool(kinds)
    how = "freechoice taxonomy" if native else ""
    if not kinds:
        kinds, how = _infer_kinds(obj)
    data: dict[str, Any] = {
        "id": _fc_id(obj) or obj["id"],
        "organization_id": org_ids.get(obj.get("organization_id", ""), obj.get("organization_id", "")),
        "name": obj["name"],
        "description": obj.get("description") or "",
        "status": "active" if obj.get("status", "active") == "active" else "inactive",
        "kinds": kinds or ["unclassified"],
        "languages": [lang["code"] for lang in obj.get("languages") or [] if lang.get("code")],
        "interpretation": bool(obj.get("interpretation_services")),
        "cost_options": [{k: c[k] for k in ("option", "amount", "currency", "amount_description") if c.get(k) is not None}
                         for c in obj.get("cost_options") or []],
        "schedules": [{k: s[k] for k in ("description", "byday", "opens_at", "closes_at") if s.get(k) is not None}
                      for s in obj.get("schedules") or []],
        "email": obj.get("email"),
        "url": obj.get("url"),
        "phone": (obj.get("phones") or [{}])[0].get("number"),
    }
    if native:
        data.update({f: facts[f] for f in FACT_FIELDS if f in facts})
    else:
        location, areas = _place(obj)
        data["location"] = location
        data["service_areas"] = areas
        data["required_documents"] = [{"code": "other", "document": d.get("document") or "document"}
                                      for d in obj.get("required_documents") or []]
        data["eligibility"] = {k: obj[k] for k in ("minimum_age", "maximum_age") if obj.get(k) is not None}
        if obj.get("eligibility_description"):
            data["eligibility"]["description"] = obj["eligibility_description"]
        if not kinds:
            data["status"] = "inactive"
    return data, native, how


def parse_hsds(doc: Any) -> HsdsImport:
    """Validate an HSDS document and map it (see :func:`_parse_hsds`)."""
    with gc_paused():
        return _parse_hsds(doc)


def _parse_hsds(doc: Any) -> HsdsImport:
    """Validate an HSDS document (against the HSDS 3.1 schemas, then the freechoice
    model) and map it. Every problem is listed (object, id, field, problem); nothing is
    returned unless the whole document is valid.

    ``doc`` is a list of services (nested objects) or an object with ``services`` and
    optionally ``organizations`` (as :func:`read_hsds` and the export produce)."""
    if isinstance(doc, list):
        doc = {"services": doc, "organizations": []}
    if not isinstance(doc, dict) or not isinstance(doc.get("services"), list):
        raise ValidationFailed([Problem("(document)", "expected a list of services or an object with 'services'")], what="HSDS input")
    problems: list[Problem] = []
    raw_orgs = list(doc.get("organizations") or [])
    seen_orgs = {o.get("id") for o in raw_orgs if isinstance(o, dict)}
    for svc in doc["services"]:
        nested = svc.get("organization") if isinstance(svc, dict) else None
        if isinstance(nested, dict) and nested.get("id") not in seen_orgs:
            seen_orgs.add(nested.get("id"))
            raw_orgs.append(nested)
    for kind, items in (("organization", raw_orgs), ("service", doc["services"])):
        for i, obj in enumerate(items):
            oid = obj.get("id", f"#{i}") if isinstance(obj, dict) else f"#{i}"
            for path, message in hsds_errors(obj, kind):
                problems.append(Problem(f"{kind}[{oid}].{path}", message))
    if problems:
        raise ValidationFailed(problems, what="HSDS input")
    orgs: list[Organization] = []
    org_ids: dict[str, str] = {}
    for obj in raw_orgs:
        try:
            org = _org(obj)
        except (ValidationError, ValueError) as err:
            problems.append(Problem(f"organization[{obj.get('id')}]", str(err).splitlines()[0]))
            continue
        orgs.append(org)
        org_ids[obj["id"]] = org.id
    services: list[Service] = []
    result = HsdsImport(orgs, services)
    known_orgs = {o.id for o in orgs}
    for obj in doc["services"]:
        data, native, how = _service(obj, org_ids)
        try:
            svc = Service.model_validate(data)
        except ValidationError as err:
            for e in err.errors(include_url=False):
                where = ".".join(str(x) for x in e["loc"]) or "(service)"
                problems.append(Problem(f"service[{obj.get('id')}].{where}", e["msg"]))
            continue
        if svc.organization_id not in known_orgs:
            problems.append(Problem(f"service[{obj.get('id')}].organization_id", "no such organization in the input"))
            continue
        services.append(svc)
        if svc.kinds == ["unclassified"]:
            result.unclassified.append({"id": svc.id, "name": svc.name, "why": "no service kind could be inferred; kept inactive"})
        elif not native:
            result.inferred.append({"id": svc.id, "name": svc.name, "kinds": ", ".join(svc.kinds), "from": how})
    if problems:
        raise ValidationFailed(problems, what="HSDS input")
    return result

