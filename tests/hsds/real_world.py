"""FICTIONAL HSDS 3.1 records shaped like another directory's (written from the HSDS
3.1 schemas): every optional object present, foreign UUIDs, two services at one
location and one service at two locations. Used by the shape and lossless tests."""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from typing import Any

ORG = "0b6a3c1e-8f2d-4e51-9a7c-1d2e3f405161"
LOC_A = "1c7b4d2f-9a3e-4f62-8b8d-2e3f40516272"
LOC_B = "2d8c5e3a-ab4f-4a73-9c9e-3f4051627383"
SVC_1 = "3e9d6f4b-bc5a-4b84-8daf-405162738494"
SVC_2 = "4fae7a5c-cd6b-4c95-9eb0-5162738495a5"
TERM = "5abf8b6d-de7c-4da6-8fc1-62738495a6b6"
UNIT = "6bc09c7e-ef8d-4eb7-90d2-738495a6b7c7"
PROGRAM = "7cd1ad8f-f09e-4fc8-a1e3-8495a6b7c8d8"


def _u(n: int) -> str:
    return f"9{n:07x}-1111-4222-8333-{n:012x}"


def location(lid: str, n: int) -> dict[str, Any]:
    return {
        "id": lid,
        "location_type": "physical",
        "url": "https://directory.example.org/places/" + lid[:8],
        "organization_id": ORG,
        "name": f"Riverside hub {n} (FICTIONAL)",
        "alternate_name": f"Hub {n}",
        "description": "Ground floor of the market building.",
        "transportation": "Bus 12 to Market Square, then 200 m on foot.",
        "latitude": 7.0086,
        "longitude": 100.4747,
        "external_identifier": f"HUB-{n}",
        "external_identifier_type": "directory",
        "languages": [{"id": _u(100 + n), "location_id": lid, "name": "Thai", "code": "th", "note": "front desk"}],
        "addresses": [
            {
                "id": _u(110 + n),
                "location_id": lid,
                "attention": "Reception",
                "address_1": f"{n} Market Road",
                "address_2": "Building B, 2nd floor",
                "city": "Hat Yai",
                "region": "South",
                "state_province": "Songkhla",
                "postal_code": "90110",
                "country": "TH",
                "address_type": "physical",
            }
        ],
        "contacts": [
            {
                "id": _u(120 + n),
                "location_id": lid,
                "name": "Front desk",
                "title": "Reception",
                "department": "Visitors",
                "email": "desk@directory.example.org",
                "phones": [
                    {
                        "id": _u(125 + n),
                        "contact_id": _u(120 + n),
                        "number": "+66 74 000 100",
                        "extension": 21,
                        "type": "voice",
                    }
                ],
            }
        ],
        "accessibility": [
            {
                "id": _u(130 + n),
                "location_id": lid,
                "description": "Step-free entrance and lift",
                "details": "Accessible toilet on the ground floor",
                "url": "https://directory.example.org/access",
            }
        ],
        "phones": [{"id": _u(140 + n), "location_id": lid, "number": "+66 74 000 200", "type": "voice"}],
        "schedules": [
            {
                "id": _u(150 + n),
                "location_id": lid,
                "freq": "WEEKLY",
                "byday": "MO,TU,WE,TH,FR",
                "opens_at": "08:00",
                "closes_at": "18:00",
                "timezone": 7,
                "description": "Building hours",
            }
        ],
        "attributes": [],
        "metadata": [],
    }


def service(sid: str, n: int, locations: list[str]) -> dict[str, Any]:
    sals = [
        {
            "id": _u(200 + 10 * n + i),
            "service_id": sid,
            "location_id": lid,
            "description": f"At hub {i + 1}",
            "phones": [
                {
                    "id": _u(300 + 10 * n + i),
                    "service_at_location_id": _u(200 + 10 * n + i),
                    "number": "+66 74 000 300",
                    "extension": 5,
                }
            ],
            "location": location(lid, 1 if lid == LOC_A else 2),
        }
        for i, lid in enumerate(locations)
    ]
    return {
        "id": sid,
        "organization_id": ORG,
        "program_id": PROGRAM,
        "name": ["Unpaid wages legal clinic", "Shelter for women and children"][n - 1] + " (FICTIONAL)",
        "alternate_name": ["Wage clinic", "Safe house"][n - 1],
        "description": "Fictional record for tests.",
        "url": "https://directory.example.org/s/" + sid[:8],
        "additional_urls": [
            {
                "id": _u(400 + n),
                "service_id": sid,
                "label": "Leaflet",
                "url": "https://directory.example.org/leaflet.pdf",
            }
        ],
        "email": "help@directory.example.org",
        "status": "active",
        "interpretation_services": "Burmese and Khmer interpreters on request",
        "application_process": "Walk in, or call and ask for the duty caseworker.",
        "fees_description": "Free; court fees are covered by the clinic.",
        "fees": "None",
        "wait_time": "Same day",
        "accreditations": "Bar association",
        "licenses": "Licence 42",
        "eligibility_description": "Migrant workers of any nationality",
        "minimum_age": 15,
        "maximum_age": 99,
        "assured_date": "2026-10-01",
        "assurer_email": "qa@directory.example.org",
        "alert": "Closed on public holidays",
        "last_modified": "2026-11-20T10:15:00+07:00",
        "phones": [
            {
                "id": _u(500 + n),
                "service_id": sid,
                "number": "+66 74 000 400",
                "extension": 12,
                "type": "voice",
                "description": "Duty line",
                "languages": [
                    {"id": _u(510 + n), "phone_id": _u(500 + n), "name": "Burmese", "code": "my", "note": "weekdays"}
                ],
            }
        ],
        "schedules": [
            {
                "id": _u(520 + n),
                "service_id": sid,
                "valid_from": "2026-01-01",
                "valid_to": "2026-12-31",
                "dtstart": "2026-01-05",
                "timezone": 7,
                "until": "2026-12-31",
                "count": 50,
                "wkst": "MO",
                "freq": "WEEKLY",
                "interval": 1,
                "byday": "MO,WE",
                "byweekno": "",
                "bymonthday": "",
                "byyearday": "",
                "description": "Clinic hours",
                "opens_at": "09:00",
                "closes_at": "16:30",
                "schedule_link": "https://directory.example.org/hours",
                "attending_type": "in person",
                "notes": "Last walk-in at 16:00",
            }
        ],
        "service_areas": [
            {
                "id": _u(530 + n),
                "service_id": sid,
                "name": "Songkhla",
                "description": "The province",
                "extent": "",
                "extent_type": "",
                "uri": "https://directory.example.org/areas/songkhla",
            }
        ],
        "service_at_locations": sals,
        "languages": [
            {"id": _u(540 + n), "service_id": sid, "name": "Burmese", "code": "my", "note": "all staff"},
            {"id": _u(545 + n), "service_id": sid, "name": "Thai", "code": "th"},
        ],
        "funding": [{"id": _u(550 + n), "service_id": sid, "source": "Fictional foundation"}],
        "cost_options": [
            {
                "id": _u(560 + n),
                "service_id": sid,
                "valid_from": "2026-01-01",
                "valid_to": "2026-12-31",
                "option": "Consultation",
                "currency": "THB",
                "amount": 0,
                "amount_description": "Free",
            }
        ],
        "program": {
            "id": PROGRAM,
            "organization_id": ORG,
            "name": "Migrant support",
            "alternate_name": "MSP",
            "description": "Fictional programme",
        },
        "required_documents": [
            {
                "id": _u(570 + n),
                "service_id": sid,
                "document": "Passport or ID card",
                "uri": "https://directory.example.org/docs",
            }
        ],
        "contacts": [
            {
                "id": _u(580 + n),
                "service_id": sid,
                "name": "Somchai P.",
                "title": "Caseworker",
                "department": "Legal",
                "email": "somchai@directory.example.org",
                "phones": [
                    {
                        "id": _u(585 + n),
                        "contact_id": _u(580 + n),
                        "number": "+66 81 000 0000",
                        "extension": 7,
                        "type": "cell",
                    }
                ],
            }
        ],
        "capacities": [
            {
                "id": _u(590 + n),
                "service_id": sid,
                "unit": {
                    "id": UNIT,
                    "name": "places",
                    "scheme": "local",
                    "identifier": "p",
                    "uri": "https://directory.example.org/units/p",
                },
                "available": 4,
                "maximum": 10,
                "description": "beds tonight",
                "updated": "2026-11-20T08:00:00Z",
            }
        ],
        "attributes": [
            {
                "id": _u(600 + n),
                "link_id": sid,
                "link_type": "service",
                "link_entity": "service",
                "taxonomy_term_id": TERM,
                "label": "Legal",
                "value": "yes",
                "taxonomy_term": {
                    "id": TERM,
                    "name": "Legal services",
                    "description": "Their legal services term",
                    "code": "LEG",
                    "term_uri": "https://directory.example.org/terms/LEG",
                },
            }
        ],
        "metadata": [
            {
                "id": _u(610 + n),
                "resource_id": sid,
                "resource_type": "service",
                "last_action_date": "2026-11-20",
                "last_action_type": "update",
                "field_name": "name",
                "previous_value": "Old name",
                "replacement_value": "New name",
                "updated_by": "editor",
            }
        ],
    }


def organization() -> dict[str, Any]:
    return {
        "id": ORG,
        "name": "Riverside Migrant Rights (FICTIONAL)",
        "alternate_name": "RMR",
        "description": "Fictional organisation for tests.",
        "email": "info@directory.example.org",
        "website": "https://directory.example.org",
        "tax_status": "non-profit",
        "tax_id": "TX-1",
        "year_incorporated": 2011,
        "legal_status": "foundation",
        "logo": "https://directory.example.org/logo.png",
        "uri": "https://directory.example.org/org",
        "phones": [{"id": _u(700), "organization_id": ORG, "number": "+66 74 000 500"}],
        "contacts": [{"id": _u(701), "organization_id": ORG, "name": "Director"}],
        "organization_identifiers": [
            {"id": _u(702), "organization_id": ORG, "identifier_type": "charity", "identifier": "C-1"}
        ],
    }


def services() -> list[dict[str, Any]]:
    """Two services at location A; the first is at location B as well."""
    return [service(SVC_1, 1, [LOC_A, LOC_B]), service(SVC_2, 2, [LOC_A])]


def service_at_locations() -> list[dict[str, Any]]:
    """The records of ``/service_at_locations/{id}``: each with its service and location."""
    out = []
    for svc in services():
        for sal in svc["service_at_locations"]:
            inner = {k: v for k, v in svc.items() if k != "service_at_locations"}
            out.append({**sal, "service": {**inner, "organization": organization()}})
    return out


def page(contents: list[Any]) -> dict[str, Any]:
    return {
        "total_items": len(contents),
        "total_pages": 1,
        "page_number": 1,
        "size": len(contents),
        "first_page": True,
        "last_page": True,
        "empty": not contents,
        "contents": contents,
    }


_NESTED = {  # object -> (its array or object fields that are tables of their own)
    "phones",
    "languages",
    "schedules",
    "service_areas",
    "service_at_locations",
    "funding",
    "cost_options",
    "required_documents",
    "contacts",
    "capacities",
    "attributes",
    "metadata",
    "addresses",
    "accessibility",
    "additional_urls",
    "location",
    "program",
    "unit",
    "taxonomy_term",
    "organization",
    "organization_identifiers",
}
_TABLE = {
    "phones": "phones",
    "languages": "languages",
    "schedules": "schedules",
    "service_areas": "service_areas",
    "service_at_locations": "service_at_locations",
    "funding": "funding",
    "cost_options": "cost_options",
    "required_documents": "required_documents",
    "contacts": "contacts",
    "capacities": "service_capacities",
    "attributes": "attributes",
    "metadata": "metadata",
    "addresses": "addresses",
    "accessibility": "accessibility",
    "additional_urls": "urls",
    "location": "locations",
    "program": "programs",
    "unit": "units",
    "organization_identifiers": "organization_identifiers",
}


def write_tabular(folder: Path, *, package: bool = True, records: list[dict[str, Any]] | None = None) -> None:
    """The organisation and services as the HSDS tabular form: one CSV per object,
    linked by ids (``unit_id`` for a capacity's unit), and a datapackage.json."""
    rows: dict[str, dict[str, dict[str, Any]]] = {}

    def flat(table: str, obj: dict[str, Any]) -> None:
        row = {}
        for key, value in obj.items():
            if key in _NESTED:
                children = value if isinstance(value, list) else [value]
                for child in children:
                    if isinstance(child, dict) and key in _TABLE:
                        flat(_TABLE[key], child)
                if key == "unit":
                    row["unit_id"] = value["id"]
                continue
            row[key] = value
        rows.setdefault(table, {})[row["id"]] = row

    flat("organizations", organization())
    for svc in services() if records is None else records:
        flat("services", copy.deepcopy(svc))
    folder.mkdir(parents=True, exist_ok=True)
    resources = []
    for table, by_id in rows.items():
        columns = sorted({k for r in by_id.values() for k in r})
        with (folder / f"{table}.csv").open("w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=columns)
            w.writeheader()
            for r in by_id.values():
                w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in columns})
        resources.append({"name": table, "path": f"{table}.csv", "format": "csv"})
    if package:
        (folder / "datapackage.json").write_text(
            json.dumps({"name": "fictional-directory", "resources": resources}), encoding="utf-8"
        )
