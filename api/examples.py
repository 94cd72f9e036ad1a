"""Examples for the OpenAPI document's schemas that come from the engine and the catalog
(their models carry none): what a generated client's docs show. All fictional."""

from __future__ import annotations

from typing import Any

__all__ = ["EXAMPLES"]

_SERVICE: dict[str, Any] = {
    "id": "svc-legal-1",
    "organization_id": "org-andaman-wage-justice",
    "name": "Wage claim clinic (fictional)",
    "kinds": ["legal_aid.wage_claim"],
}

EXAMPLES: dict[str, list[Any]] = {
    "Organization": [{"id": "org-andaman-wage-justice", "name": "Andaman Wage Justice (fictional)"}],
    "Service": [_SERVICE],
}
