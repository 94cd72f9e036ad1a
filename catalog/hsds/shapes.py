"""Every shape HSDS 3.1 publishes, brought to one document: ``{"organizations": [...],
"services": [...], "taxonomy_terms": [...]}`` with each service fully nested.

Shapes read: one service; a list of services; the HSDS API ``Page`` envelope
(``contents``) of any of these; an organisation with nested ``services``; a
``service_at_location`` with its nested ``service`` and ``location`` (several records
of one service are merged, so a service keeps every location); a service with a
nested ``organization`` (which fills ``organization_id``); the export document; and
the tabular form (a folder of CSV or JSON tables, with or without a Frictionless
``datapackage.json``), whose rows are linked by their ids into nested objects.
"""

from __future__ import annotations

import copy
import csv
import io
from pathlib import Path
from typing import Any

import orjson

from ..errors import Problem, ValidationFailed
from .schema import property_types

__all__ = ["TABLES", "normalize", "read_tables"]

#: table (HSDS object) -> file names it may come in (plural first), without extension
TABLES: dict[str, tuple[str, ...]] = {
    name: (plural, name)
    for name, plural in (
        ("organization", "organizations"),
        ("service", "services"),
        ("location", "locations"),
        ("service_at_location", "service_at_locations"),
        ("address", "addresses"),
        ("phone", "phones"),
        ("schedule", "schedules"),
        ("service_area", "service_areas"),
        ("language", "languages"),
        ("cost_option", "cost_options"),
        ("required_document", "required_documents"),
        ("contact", "contacts"),
        ("service_capacity", "service_capacities"),
        ("unit", "units"),
        ("accessibility", "accessibilities"),
        ("funding", "fundings"),
        ("url", "urls"),
        ("program", "programs"),
        ("organization_identifier", "organization_identifiers"),
        ("attribute", "attributes"),
        ("metadata", "metadatas"),
        ("taxonomy", "taxonomies"),
        ("taxonomy_term", "taxonomy_terms"),
        ("meta_table_description", "meta_table_descriptions"),
    )
}

# (child table, its foreign key, parent table, the parent's array field); for a child
# row, the first of its foreign keys that names a known parent wins (most specific first)
_LINKS: tuple[tuple[str, str, str, str], ...] = (
    ("phone", "contact_id", "contact", "phones"),
    ("phone", "service_at_location_id", "service_at_location", "phones"),
    ("phone", "location_id", "location", "phones"),
    ("phone", "service_id", "service", "phones"),
    ("phone", "organization_id", "organization", "phones"),
    ("language", "phone_id", "phone", "languages"),
    ("language", "location_id", "location", "languages"),
    ("language", "service_id", "service", "languages"),
    ("schedule", "service_at_location_id", "service_at_location", "schedules"),
    ("schedule", "location_id", "location", "schedules"),
    ("schedule", "service_id", "service", "schedules"),
    ("contact", "service_at_location_id", "service_at_location", "contacts"),
    ("contact", "location_id", "location", "contacts"),
    ("contact", "service_id", "service", "contacts"),
    ("contact", "organization_id", "organization", "contacts"),
    ("service_area", "service_at_location_id", "service_at_location", "service_areas"),
    ("service_area", "service_id", "service", "service_areas"),
    ("cost_option", "service_id", "service", "cost_options"),
    ("required_document", "service_id", "service", "required_documents"),
    ("service_capacity", "service_id", "service", "capacities"),
    ("service_at_location", "service_id", "service", "service_at_locations"),
    ("address", "location_id", "location", "addresses"),
    ("accessibility", "location_id", "location", "accessibility"),
    ("funding", "service_id", "service", "funding"),
    ("funding", "organization_id", "organization", "funding"),
    ("url", "service_id", "service", "additional_urls"),
    ("url", "organization_id", "organization", "additional_websites"),
    ("program", "organization_id", "organization", "programs"),
    ("organization_identifier", "organization_id", "organization", "organization_identifiers"),
    ("location", "organization_id", "organization", "locations"),
)
# (table, its key naming one object, the table of that object, the field it is nested in)
_ONE: tuple[tuple[str, str, str, str], ...] = (
    ("service_at_location", "location_id", "location", "location"),
    ("service_capacity", "unit_id", "unit", "unit"),
    ("service", "program_id", "program", "program"),
)


_SHAPES = (
    "expected HSDS services, organizations, service_at_locations or a page of them "
    "(a list, an object with 'services' or 'contents', or one record with its 'id')"
)


def _problem(where: str, message: str) -> ValidationFailed:
    return ValidationFailed([Problem(where, message)], what="HSDS input")


def _typed(table: str, row: dict[str, str], where: str, problems: list[Problem]) -> dict[str, Any]:
    """A CSV row as the JSON object its schema describes: empty cells are absent,
    number columns are numbers."""
    types = property_types(table)
    out: dict[str, Any] = {}
    for key, text in row.items():
        if key is None or text is None or text == "":
            continue
        if types.get(key) in ("number", "integer"):
            try:
                value = float(text)
            except ValueError:
                problems.append(Problem(f"{where}.{key}", f"not a number: {text!r}"))
                continue
            out[key] = int(value) if value.is_integer() else value
        else:
            out[key] = text
    return out


def _load(folder: Path, table: str, files: dict[str, Path], problems: list[Problem]) -> list[dict[str, Any]]:
    path = files.get(table)
    if path is None:
        for stem in TABLES[table]:
            for ext in (".json", ".csv"):
                if (folder / f"{stem}{ext}").is_file():
                    path = folder / f"{stem}{ext}"
                    break
            if path is not None:
                break
    if path is None:
        return []
    if path.suffix == ".csv":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as err:
            raise _problem(path.name, f"not UTF-8 text: {err}") from None
        return [
            _typed(table, row, f"{path.name}[row {i + 2}]", problems)
            for i, row in enumerate(csv.DictReader(io.StringIO(text, newline="")))
        ]
    try:
        data = orjson.loads(path.read_bytes())
    except ValueError as err:
        raise _problem(path.name, f"not valid JSON: {err}") from None
    items = data if isinstance(data, list) else [data]
    return [x for x in items if isinstance(x, dict)]


def _package_files(folder: Path) -> dict[str, Path]:
    """table -> file, from a Frictionless ``datapackage.json`` where there is one."""
    package = folder / "datapackage.json"
    if not package.is_file():
        return {}
    try:
        meta = orjson.loads(package.read_bytes())
    except ValueError as err:
        raise _problem("datapackage.json", f"not valid JSON: {err}") from None
    out: dict[str, Path] = {}
    for res in meta.get("resources") or [] if isinstance(meta, dict) else []:
        if not isinstance(res, dict) or not isinstance(res.get("path"), str):
            continue
        target = (folder / res["path"]).resolve()
        if folder.resolve() not in target.parents:
            raise _problem(f"datapackage.json resource {res.get('name')!r}", "path outside the package folder")
        name = str(res.get("name") or Path(res["path"]).stem)
        table = next((t for t, stems in TABLES.items() if name in stems), None)
        if table is not None and target.is_file():
            out[table] = target
    return out


def read_tables(folder: Path) -> dict[str, Any]:
    """A folder of HSDS tables (CSV or JSON, one file per object, linked by ids) as one
    nested document.

    Raises:
        ValidationFailed: a file is not JSON or UTF-8, or a number column holds text.
    """
    problems: list[Problem] = []
    files = _package_files(folder)
    tables = {t: _load(folder, t, files, problems) for t in TABLES}
    if problems:
        raise ValidationFailed(problems, what="HSDS tables")
    by_id: dict[str, dict[str, dict[str, Any]]] = {
        t: {r["id"]: r for r in rows if isinstance(r.get("id"), str)} for t, rows in tables.items()
    }
    nested: set[int] = set()
    for table, rows in tables.items():
        links = [link for link in _LINKS if link[0] == table]
        for row in rows:
            for _, fk, parent_table, field in links:
                parent = by_id[parent_table].get(row.get(fk) or "")
                if parent is not None:
                    if not any(x is row or x.get("id") == row.get("id") for x in parent.get(field) or []):
                        parent.setdefault(field, []).append(row)
                    nested.add(id(row))
                    break
    for table, key, target, field in _ONE:
        for row in tables[table]:
            obj = by_id[target].get(row.get(key) or "")
            if obj is not None and field not in row:
                row[field] = obj
    everything = {r["id"]: r for rows in tables.values() for r in rows if isinstance(r.get("id"), str)}
    for row in tables["attribute"]:
        owner = everything.get(row.get("link_id") or "")
        if owner is not None and owner is not row:
            if not any(a.get("id") == row.get("id") for a in owner.get("attributes") or []):
                owner.setdefault("attributes", []).append(row)
    for row in tables["metadata"]:
        owner = everything.get(row.get("resource_id") or "")
        if owner is not None and owner is not row:
            if not any(m.get("id") == row.get("id") for m in owner.get("metadata") or []):
                owner.setdefault("metadata", []).append(row)
    return {
        "organizations": tables["organization"],
        "services": tables["service"],
        "taxonomy_terms": tables["taxonomy_term"],
        "taxonomies": tables["taxonomy"],
    }


def _kind(obj: dict[str, Any]) -> str:
    """What one HSDS object is: 'page', 'document', 'service_at_location', 'organization' or 'service'."""
    if isinstance(obj.get("contents"), list):
        return "page"
    if isinstance(obj.get("service"), dict):
        return "service_at_location"
    if isinstance(obj.get("services"), list):
        return "organization" if "name" in obj and "organizations" not in obj else "document"
    if "organizations" in obj or "taxonomy_terms" in obj:
        return "document"
    if "status" in obj or "organization_id" in obj or "service_at_locations" in obj or "organization" in obj:
        return "service"
    if "name" in obj and "description" in obj:
        return "organization"
    return "service" if "id" in obj or "name" in obj else "unknown"


class _Collector:
    def __init__(self) -> None:
        self.organizations: list[Any] = []
        self.services: list[Any] = []
        self.terms: list[Any] = []
        self.taxonomies: list[Any] = []
        self.from_locations: dict[str, dict[str, Any]] = {}  # services met in service_at_location records
        self.other: dict[str, Any] = {}

    def add(self, obj: Any, depth: int = 0) -> None:
        if isinstance(obj, list):
            for item in obj:
                self.add(item, depth + 1)
            return
        if not isinstance(obj, dict):
            self.services.append(obj)  # reported by the schema check
            return
        kind = _kind(obj)
        if kind == "page" and depth < 3:
            self.add(obj["contents"], depth + 1)
        elif kind == "document" and depth < 3:
            for key, value in obj.items():
                if key not in ("organizations", "services", "taxonomy_terms", "taxonomies"):
                    self.other[key] = value
            self.add(list(obj.get("organizations") or []), depth + 1)
            self.services.extend(obj.get("services") or [])
            terms = obj.get("taxonomy_terms") or []
            self.terms.extend(terms if isinstance(terms, list) else [terms])
            self.taxonomies.extend(obj.get("taxonomies") or [])
        elif kind == "organization":
            org = {k: v for k, v in obj.items() if k != "services"}
            self.organizations.append(org)
            for svc in obj.get("services") or []:
                if (
                    isinstance(svc, dict)
                    and not svc.get("organization_id")
                    and not isinstance(svc.get("organization"), dict)
                ):
                    svc = {**svc, "organization_id": obj.get("id")}
                self.services.append(svc)
        elif kind == "service_at_location":
            self._service_at_location(obj)
        elif kind == "unknown" and depth == 0:
            raise _problem("(document)", _SHAPES)
        else:
            self.services.append(obj)

    def _service_at_location(self, sal: dict[str, Any]) -> None:
        svc = sal["service"]
        rest = {k: v for k, v in sal.items() if k != "service"}
        sid = svc.get("id")
        known = self.from_locations.get(sid) if isinstance(sid, str) else None
        if known is None:
            known = copy.copy(svc)
            known["service_at_locations"] = list(svc.get("service_at_locations") or [])
            if isinstance(sid, str):
                self.from_locations[sid] = known
            self.services.append(known)
        if not any(isinstance(x, dict) and x.get("id") == rest.get("id") for x in known["service_at_locations"]):
            known["service_at_locations"].append(rest)


def normalize(doc: Any) -> dict[str, Any]:
    """Any HSDS shape (see the module) as ``{"organizations", "services",
    "taxonomy_terms", "taxonomies"}``; a service's nested ``organization`` fills its
    ``organization_id`` and joins the organisations (once per id)."""
    c = _Collector()
    c.add(doc)
    if not isinstance(doc, (list, dict)) or (
        isinstance(doc, dict)
        and not c.services
        and not c.organizations
        and "services" not in doc
        and "contents" not in doc
    ):
        raise _problem("(document)", _SHAPES)
    seen = {o.get("id") for o in c.organizations if isinstance(o, dict)}
    services = []
    for svc in c.services:
        nested = svc.get("organization") if isinstance(svc, dict) else None
        if isinstance(nested, dict):
            if not svc.get("organization_id") and nested.get("id"):
                svc = {**svc, "organization_id": nested["id"]}
            if nested.get("id") not in seen:
                seen.add(nested.get("id"))
                c.organizations.append({k: v for k, v in nested.items() if k != "services"})
        services.append(svc)
    return {
        **c.other,
        "organizations": c.organizations,
        "services": services,
        "taxonomy_terms": c.terms,
        "taxonomies": c.taxonomies,
    }
