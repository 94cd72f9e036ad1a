"""Shared constants for the HTTP tests (fictional data)."""

from __future__ import annotations

__all__ = ["ASSESSMENT", "PARTNER_X", "PARTNER_Y", "every_item"]

PARTNER_X = "org-andaman-wage-justice"  # a fictional sample provider
PARTNER_Y = "org-open-door-houses"

ASSESSMENT = {
    "client_ref": "c-api-1",
    "needs": {"compensation": 4, "housing": 4, "employment": 3},
    "situation": {
        "location": {"country": "TH", "area": "Songkhla"},
        "plan": "stay",
        "nationality": "MM",
        "languages": ["my"],
        "gender": "male",
        "age": 29,
        "documents": "confiscated",
        "fears": ["police"],
        "legal_interest": ["wage_claim"],
        "no_contact_with": ["immigration"],
    },
}


def every_item(client, url, headers=None, params=None):
    """Every item of a list, following its ``next`` links from ``url`` to the last page
    (a feed's ``next`` never ends: for lists only)."""
    items = []
    page = client.get(url, headers=headers, params=params)
    while True:
        assert page.status_code == 200, page.text
        body = page.json()
        items += body["items"]
        if body["next"] is None:
            return items
        page = client.get(body["next"], headers=headers)
