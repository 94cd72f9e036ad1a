"""Importing HSDS 3.1 JSON: records that carry the freechoice taxonomy come back
exactly; others import with what can be inferred, and every service no kind could be
inferred for is kept inactive (kind ``unclassified``) and listed in the report."""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from ..bulk import gc_paused
from ..errors import Problem, ValidationFailed
from ..index import Catalog
from ..models import Organization, Service
from ..taxonomy import SERVICE_KIND_IDS
from .infer import country_code, document_code, kind_from_text, language_code, place_from_name
from .schema import hsds_errors
from .shapes import normalize, read_tables
from .source import kept
from .vocabulary import CONTACT_FACTS, FACT_FIELDS, ID_TERM, TAXONOMY_URI, fact_term, hsds_id, kind_term

__all__ = ["HsdsImport", "parse_hsds", "read_hsds"]

_KIND_BY_TERM = {kind_term(k): k for k in SERVICE_KIND_IDS}
_FACT_BY_TERM = {fact_term(f): f for f in (*FACT_FIELDS, *CONTACT_FACTS)}
_ID_TERM = hsds_id("term", ID_TERM)
_KIND_URI = f"{TAXONOMY_URI}/kind/"
_PROGRESS_STEP = 500


@dataclass
class HsdsImport:
    """What an HSDS file or folder maps to, before anything is stored.

    ``inferred`` lists each service whose kinds were guessed (from taxonomy term names
    or words in its name or description) and ``unclassified`` each service no kind
    could be found for: those are kept with the reserved kind ``unclassified`` and
    status ``inactive`` (never offered to a client) until someone classifies them.
    """

    organizations: list[Organization]
    services: list[Service]
    unclassified: list[dict[str, str]] = field(default_factory=list)
    inferred: list[dict[str, str]] = field(default_factory=list)
    dropped: list[dict[str, str]] = field(default_factory=list)
    refused: list[dict[str, str]] = field(default_factory=list)

    def report(self) -> dict[str, Any]:
        """Counts and the inferred and unclassified lists, as JSON; in lenient mode also
        ``dropped`` (each impossible value left out: record, field, value, why) and
        ``refused`` (each record that could not be imported, and why)."""
        return {
            "organizations": len(self.organizations),
            "services": len(self.services),
            "inferred": self.inferred,
            "unclassified": self.unclassified,
            "dropped": self.dropped,
            "refused": self.refused,
        }

    def applied_to(self, catalog: Catalog, *, linked_only: bool = False) -> Catalog:
        """A new catalog: ``catalog`` with this import's records added or replaced (to
        check the result before anything is written).

        With ``linked_only``, only the services that refer on or require something are
        kept: the only ones that can close a referral or prerequisite cycle, so a cycle
        check over the result is as strict and much cheaper.
        """
        orgs = {**catalog.organizations, **{o.id: o for o in self.organizations}}
        services = {s.id: s for s in catalog}
        services.update({s.id: s for s in self.services})
        chosen = [s for s in services.values() if s.refers_to or s.requires] if linked_only else services.values()
        return Catalog(orgs.values(), chosen, sample=catalog.sample)


def read_hsds(path: str | Path) -> Any:
    """Read an HSDS JSON file, or a folder of tables, into one document.

    A folder is the HSDS tabular form: one file per object, CSV or JSON, plural or
    singular names (``services.csv``, ``phones.json``, ...), with or without a
    Frictionless ``datapackage.json``; rows are nested by their ids
    (:func:`freechoice.catalog.hsds.shapes.read_tables`).

    Raises:
        ValidationFailed: the path does not exist, a file is not JSON or UTF-8, or a
            number column holds text.
    """
    with gc_paused():
        return _read_hsds(path)


def _read_hsds(path: str | Path) -> Any:
    p = Path(path)
    if p.is_file():
        try:
            return orjson.loads(p.read_bytes())
        except ValueError as err:
            raise ValidationFailed([Problem(str(p), f"not valid JSON: {err}")], what="HSDS file") from None
    if not p.is_dir():
        raise ValidationFailed([Problem(str(p), "no such file or folder")], what="HSDS input")
    return read_tables(p)


def _attrs(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in obj.get("attributes") or [] if isinstance(a, dict)]


def _facts(attrs: list[dict[str, Any]], where: str, problems: list[Problem]) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for a in attrs:
        name = _FACT_BY_TERM.get(a.get("taxonomy_term_id", ""))
        if name is None or a.get("value") is None:
            continue
        try:
            facts[name] = orjson.loads(a["value"])
        except ValueError:
            problems.append(Problem(f"{where}.attributes[fact:{name}].value", "not valid JSON"))
    return facts


def _fc_id(attrs: list[dict[str, Any]]) -> str | None:
    for a in attrs:
        if a.get("taxonomy_term_id") == _ID_TERM and a.get("value"):
            return str(a["value"])
    return None


def _org(obj: dict[str, Any], problems: list[Problem]) -> dict[str, Any]:
    attrs = _attrs(obj)
    facts = _facts(attrs, f"organization[{obj['id']}]", problems)
    phones = [p for p in obj.get("phones") or [] if isinstance(p, dict)]
    return {
        "id": _fc_id(attrs) or obj["id"],
        "name": obj["name"],
        "description": facts["description"] if "description" in facts else obj.get("description") or "",
        "email": facts["email"] if "email" in facts else obj.get("email"),
        "website": facts["website"] if "website" in facts else obj.get("website"),
        "phone": phones[0].get("number") if phones else None,
        "sample": bool(facts.get("sample", False)),
        "translations": facts.get("translations") or {},
    }


def _term_names(attrs: list[dict[str, Any]], terms: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for a in attrs:
        term = (
            a.get("taxonomy_term")
            if isinstance(a.get("taxonomy_term"), dict)
            else terms.get(a.get("taxonomy_term_id", ""))
        )
        if term:
            out.append(term)
    return out


def _infer_kinds(
    obj: dict[str, Any], attrs: list[dict[str, Any]], terms: dict[str, dict[str, Any]]
) -> tuple[list[str], str]:
    """Kinds for a record without freechoice kind terms: a term naming a freechoice kind
    (by id or uri), else words in term names, else in the service name, else its description."""
    named = _term_names(attrs, terms)
    direct = []
    for term in named:
        uri = str(term.get("term_uri") or "")
        for candidate in (
            term.get("name"),
            term.get("code"),
            uri.removeprefix(_KIND_URI) if uri.startswith(_KIND_URI) else None,
        ):
            if candidate in SERVICE_KIND_IDS and candidate not in direct and candidate != "unclassified":
                direct.append(candidate)
    if direct:
        return direct, "freechoice kind named in a taxonomy term"
    sources = [(f"taxonomy term '{t.get('name')}'", str(t.get("name") or "")) for t in named]
    sources += [("name", str(obj.get("name") or "")), ("description", str(obj.get("description") or ""))]
    for where, text in sources:
        hit = kind_from_text(text)
        if hit:
            return [hit[0]], f"word '{hit[1]}' in {where}"
    return [], ""


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _place(obj: dict[str, Any]) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """Location (the first address with a country) and service areas of an HSDS service."""
    location = None
    for sal in obj.get("service_at_locations") or []:
        loc = (sal.get("location") if isinstance(sal, dict) else None) or {}
        for addr in loc.get("addresses") or []:
            if isinstance(addr, dict) and addr.get("country"):
                country = str(addr["country"])
                location = {
                    "name": loc.get("name"),
                    "address_1": addr.get("address_1") or None,
                    "city": addr.get("city") or None,
                    "area": addr.get("state_province") or None,
                    "country": country_code(country) or country,
                    "latitude": loc.get("latitude"),
                    "longitude": loc.get("longitude"),
                }
                break
        if location:
            break
    areas = []
    home = location["country"] if location else None
    for a in obj.get("service_areas") or []:
        if not isinstance(a, dict):
            continue
        if a.get("extent_type") == "freechoice-area" and a.get("extent"):
            try:
                areas.append(orjson.loads(a["extent"]))
                continue
            except ValueError:
                pass
        place = place_from_name(str(a.get("name") or ""), home)
        if place:
            areas.append({"country": place[0], "area": place[1]})
    return location, areas


def _capacity(obj: dict[str, Any]) -> dict[str, Any] | None:
    for cap in obj.get("capacities") or []:
        if isinstance(cap, dict) and isinstance(cap.get("available"), (int, float)):
            out: dict[str, Any] = {
                "available": int(cap["available"]),
                "status": "full" if cap["available"] <= 0 else "open",
            }
            if isinstance(cap.get("maximum"), (int, float)):
                out["maximum"] = int(cap["maximum"])
            try:
                out["updated"] = dt.datetime.fromisoformat(str(cap.get("updated"))).date().isoformat()
            except ValueError:
                pass
            return out
    return None


def _service(
    obj: dict[str, Any], org_ids: dict[str, str], terms: dict[str, dict[str, Any]], problems: list[Problem]
) -> tuple[dict[str, Any], str]:
    """A freechoice service dict from an HSDS service, and how its kinds were found
    ('' when they came with the freechoice taxonomy or could not be found)."""
    attrs = _attrs(obj)
    facts = _facts(attrs, f"service[{obj['id']}]", problems)
    kinds = [_KIND_BY_TERM[a["taxonomy_term_id"]] for a in attrs if a.get("taxonomy_term_id") in _KIND_BY_TERM]
    how = ""
    if not kinds:
        kinds, how = _infer_kinds(obj, attrs, terms)
    location, areas = _place(obj)
    languages = []
    for lang in obj.get("languages") or []:
        if isinstance(lang, dict) and (lang.get("code") or lang.get("name")):
            languages.append(language_code(lang.get("code"), lang.get("name")) or lang.get("code") or lang.get("name"))
    eligibility: dict[str, Any] = {k: _number(obj[k]) for k in ("minimum_age", "maximum_age") if obj.get(k) is not None}
    if obj.get("eligibility_description"):
        eligibility["description"] = obj["eligibility_description"]
    phones = [p for p in obj.get("phones") or [] if isinstance(p, dict)]
    data: dict[str, Any] = {
        "id": _fc_id(attrs) or obj["id"],
        "organization_id": org_ids.get(obj.get("organization_id") or "", obj.get("organization_id") or ""),
        "name": obj["name"],
        "description": obj.get("description") or "",
        "status": "active" if obj.get("status", "active") == "active" else "inactive",
        "kinds": kinds or ["unclassified"],
        "location": location,
        "service_areas": areas,
        "languages": languages,
        "interpretation": bool(obj.get("interpretation_services")),
        "cost_options": [
            {
                k: (c[k].upper() if k == "currency" else c[k])
                for k in ("option", "amount", "currency", "amount_description")
                if c.get(k) is not None
            }
            for c in obj.get("cost_options") or []
            if isinstance(c, dict)
        ],
        "schedules": [
            {k: s[k] for k in ("description", "byday", "opens_at", "closes_at") if s.get(k) is not None}
            for s in obj.get("schedules") or []
            if isinstance(s, dict)
        ],
        "required_documents": [
            {"code": document_code(str(d.get("document") or "")), "document": d.get("document") or "document"}
            for d in obj.get("required_documents") or []
            if isinstance(d, dict)
        ],
        "eligibility": eligibility,
        "email": obj.get("email"),
        "url": obj.get("url"),
        "phone": phones[0].get("number") if phones else None,
        "application_process": obj.get("application_process"),
    }
    capacity = _capacity(obj)
    if capacity is not None:
        data["capacity"] = capacity
    data.update(facts)  # the freechoice facts, where carried, are exact
    if not kinds:
        data["status"] = "inactive"
    return data, how


def _where(kind: str, obj: Any, i: int) -> str:
    oid = obj.get("id") if isinstance(obj, dict) else None
    return f"{kind}[{oid if isinstance(oid, str) and oid else f'#{i}'}]"


def parse_hsds(
    doc: Any,
    *,
    organization_id: str | None = None,
    progress: Callable[[int], None] | None = None,
    lenient: bool = False,
) -> HsdsImport:
    """Validate an HSDS document and map it to freechoice records (nothing is stored).

    Parameters:
        doc: a list of services (each with nested objects, the ``organization`` nested
            or not), or an object with ``services`` and optionally ``organizations``
            and ``taxonomy_terms`` (as :func:`read_hsds` and the export produce).
        organization_id: if given, every service is imported as this existing freechoice
            organisation's (the document's organisations are not imported): for a
            partner registering its own directory, whose HSDS ids are its own.
        progress: called with the number of services mapped since the last call.
        lenient: import a record with an impossible value (a latitude of 100, a value
            of the wrong type) without that value, listed under ``dropped``, and leave
            out a record that still cannot be read, listed under ``refused``. Strict
            (the default) refuses the whole file instead.

    Returns:
        The organisations and services, with the inferred and unclassified reports.

    Raises:
        ValidationFailed: listing every problem (``<object>[<id>].<field>``: what is
            wrong) against the HSDS 3.1 schemas, then the freechoice model, duplicate
            ids and unknown organisations. Nothing is returned unless all is valid.
    """
    with gc_paused():
        return _parse_hsds(doc, organization_id, progress, lenient)


def _parse_hsds(
    doc: Any, organization_id: str | None, progress: Callable[[int], None] | None, lenient: bool
) -> HsdsImport:
    doc = normalize(doc)
    problems: list[Problem] = []
    dropped: list[dict[str, str]] = []
    refused: list[dict[str, str]] = []
    raw_orgs = list(doc["organizations"])
    raw_terms = doc.get("taxonomy_terms") or []
    raw_terms = raw_terms if isinstance(raw_terms, list) else [raw_terms]
    # every object is checked against its HSDS schema; the valid ones are also mapped
    # and checked against the freechoice model, so one pass lists every problem
    invalid: dict[str, set[int]] = {}
    for kind, items in (("organization", raw_orgs), ("service", doc["services"]), ("taxonomy_term", raw_terms)):
        invalid[kind] = set()
        for i, obj in enumerate(items):
            where = _where(kind, obj, i)
            errors = hsds_errors(obj, kind) + _impossible(obj)
            if errors and lenient:
                fixed, gone = _without_invalid(obj, kind)
                if fixed is not None:
                    items[i] = fixed
                    dropped += [{"record": where, **g} for g in gone]
                    continue
                refused.append({"record": where, "why": "; ".join(f"{p}: {m}" for p, m, _ in errors[:5])})
                invalid[kind].add(i)
                continue
            for path, message, allowed in errors:
                problems.append(Problem(f"{where}.{path}", message, allowed))
                invalid[kind].add(i)
    for kind, items in (("organization", raw_orgs), ("service", doc["services"])):
        counts = Counter(o.get("id") for o in items if isinstance(o, dict))
        problems += [Problem(f"{kind}[{i}].id", f"the id appears {n} times") for i, n in counts.items() if n > 1]
    terms = {t["id"]: t for i, t in enumerate(raw_terms) if i not in invalid["taxonomy_term"]}
    orgs: list[Organization] = []
    org_ids: dict[str, str] = {}
    unreadable_orgs = {
        o.get("id") for i, o in enumerate(raw_orgs) if i in invalid["organization"] and isinstance(o, dict)
    }
    for i, obj in enumerate(raw_orgs if organization_id is None else []):
        if i in invalid["organization"]:
            continue
        where = f"organization[{obj['id']}]"
        org_data = _org(obj, problems)
        try:
            org = _validated(Organization, org_data, where, lenient, dropped)
        except ValidationError as err:
            if lenient:
                refused.append({"record": where, "why": str(err)})
            else:
                problems += _model_problems(where, err)
            unreadable_orgs.add(obj["id"])
            continue
        if not _own(obj):
            org = org.model_copy(update={"hsds_source": kept(obj, org.model_dump(mode="json"), ("services",))})
        orgs.append(org)
        org_ids[obj["id"]] = org.id
    result = HsdsImport(orgs, [], dropped=dropped, refused=refused)
    known_orgs = {o.id for o in orgs}
    for i, obj in enumerate(doc["services"]):
        if progress is not None and i and i % _PROGRESS_STEP == 0:
            progress(_PROGRESS_STEP)
        if i in invalid["service"]:
            continue
        data, how = _service(obj, org_ids, terms, problems)
        if organization_id is not None:
            data["organization_id"] = organization_id
        where = f"service[{obj['id']}]"
        try:
            svc = _validated(Service, data, where, lenient, dropped)
        except ValidationError as err:
            if lenient:
                refused.append(
                    {"record": where, "why": "; ".join(p.field + ": " + p.message for p in _model_problems(where, err))}
                )
            else:
                problems += _model_problems(where, err)
            continue
        if not _own(obj):
            record = obj if obj.get("status") not in ("active", "inactive") else {**obj, "status": svc.status}
            svc = svc.model_copy(update={"hsds_source": kept(record, svc.model_dump(mode="json"), ("organization",))})
        if organization_id is None and svc.organization_id not in known_orgs:
            if obj.get("organization_id") in unreadable_orgs:
                continue  # its organisation's problems are listed already
            problems.append(
                Problem(
                    f"service[{obj['id']}].organization_id",
                    f"no organization {obj.get('organization_id')!r} in the input",
                )
            )
            continue
        result.services.append(svc)
        if svc.kinds == ["unclassified"] and how == "":
            result.unclassified.append(
                {"id": svc.id, "name": svc.name, "why": "no service kind could be inferred; kept inactive"}
            )
        elif how:
            result.inferred.append({"id": svc.id, "name": svc.name, "kinds": ", ".join(svc.kinds), "from": how})
    if progress is not None and doc["services"]:
        progress((len(doc["services"]) - 1) % _PROGRESS_STEP + 1)
    ids = Counter(s.id for s in result.services)
    problems += [Problem(f"service[{i}]", f"{n} services carry this freechoice id") for i, n in ids.items() if n > 1]
    if problems:
        raise ValidationFailed(problems, what="HSDS input")
    return result


def _own(obj: dict[str, Any]) -> bool:
    """Whether a record is freechoice's own (exported with a freechoice id other than
    its HSDS id); another directory's record keeps its UUID as its freechoice id."""
    fc = _fc_id(_attrs(obj))
    return fc is not None and fc != obj.get("id")


_COORDINATES = (("latitude", -90, 90), ("longitude", -180, 180))


def _locations(obj: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for i, sal in enumerate(obj.get("service_at_locations") or []):
        if isinstance(sal, dict) and isinstance(sal.get("location"), dict):
            out.append((f"service_at_locations.{i}.location", sal["location"]))
    for i, loc in enumerate(obj.get("locations") or []):
        if isinstance(loc, dict):
            out.append((f"locations.{i}", loc))
    return out


def _impossible(obj: Any) -> list[tuple[str, str, list[Any] | None]]:
    """Values valid for the HSDS schemas that cannot be true: coordinates off the globe."""
    if not isinstance(obj, dict):
        return []
    out: list[tuple[str, str, list[Any] | None]] = []
    for path, loc in _locations(obj):
        for name, low, high in _COORDINATES:
            value = loc.get(name)
            if isinstance(value, (int, float)) and not low <= value <= high:
                out.append((f"{path}.{name}", f"{value} is not a {name} (allowed: {low} to {high})", None))
    return out


def _without_invalid(obj: Any, kind: str) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
    """``obj`` without each value that breaks its HSDS schema or cannot be true, and
    what was left out; None if it still does not fit (a required field is wrong)."""
    if not isinstance(obj, dict):
        return None, []
    fixed = copy.deepcopy(obj)
    gone: list[dict[str, str]] = []
    for _ in range(10):
        errors = hsds_errors(fixed, kind) + _impossible(fixed)
        if not errors:
            return fixed, gone
        progress = False
        for path, message, _allowed in errors:
            parts = path.split(".")
            parent: Any = fixed
            try:
                for part in parts[:-1]:
                    parent = parent[int(part)] if isinstance(parent, list) else parent[part]
            except (KeyError, IndexError, ValueError, TypeError):
                continue
            last = parts[-1]
            if len(parts) == 1 or not isinstance(parent, dict) or last not in parent or last == "id":
                continue
            gone.append({"field": path, "value": repr(parent.pop(last))[:200], "why": message})
            progress = True
        if not progress:
            return None, gone
    return None, gone


def _validated(model: Any, data: dict[str, Any], where: str, lenient: bool, dropped: list[dict[str, str]]) -> Any:
    """``model`` from ``data``; in lenient mode, each optional value the model refuses
    is left out (and listed in ``dropped``) and the rest tried again."""
    for _ in range(10 if lenient else 1):
        try:
            return model.model_validate(data)
        except ValidationError as err:
            if not lenient:
                raise
            removed = False
            for e in err.errors(include_url=False):
                loc = [str(x) for x in e["loc"]]
                parent: Any = data
                for part in loc[:-1]:
                    parent = parent.get(part) if isinstance(parent, dict) else None
                if len(loc) >= 2 and isinstance(parent, dict) and loc[-1] in parent:
                    value = parent.pop(loc[-1])
                    dropped.append(
                        {"record": where, "field": ".".join(loc), "value": repr(value)[:200], "why": e["msg"]}
                    )
                    removed = True
            if not removed:
                raise
    return model.model_validate(data)


def _model_problems(where: str, err: ValidationError) -> list[Problem]:
    out = []
    for e in err.errors(include_url=False):
        path = ".".join(str(x) for x in e["loc"]) or "(object)"
        out.append(Problem(f"{where}.{path}", e["msg"]))
    return out
