"""Shared helpers for the page tests: fictional people, signing in through the form."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["PASSWORD", "csrf_of", "seed_people", "sign_in"]

PASSWORD = "correct horse battery"

#: username -> (organisation, role); all fictional
PEOPLE = {
    "admin": ("org-admin", "admin"),
    "cw-a": ("org-cw-a", "caseworker"),
    "cw-b": ("org-cw-b", "caseworker"),
    "partner-x": (None, "partner"),
    "manager": ("org-admin", "manager"),
}


def seed_people(db: Any, *, partner_org: str) -> dict[str, str]:
    """Fictional organisations and one account per role; username -> person id."""
    from freechoice.api.web.accounts import create_person
    from freechoice.catalog import Organization
    from freechoice.catalog.db import save_organization

    ids = {}
    with db.writing() as s:
        save_organization(s, Organization(id="org-admin", name="Network Secretariat (fictional)"), "test")
        save_organization(s, Organization(id="org-cw-a", name="Caseworkers A (fictional)"), "test")
        save_organization(s, Organization(id="org-cw-b", name="Caseworkers B (fictional)"), "test")
        for username, (org, role) in PEOPLE.items():
            ids[username] = create_person(
                s,
                username=username,
                password=PASSWORD,
                organization_id=org or partner_org,
                role=role,
                display_name=username.replace("-", " ").title() + " (fictional)",
                created_by="test",
            )
    return ids


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: Any, username: str, password: str) -> Any:
    """Sign in through the form, as a browser does; the response of the POST."""
    form = client.get("/web/login")
    return client.post(
        "/web/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(form.text), "next": "/web/"},
        follow_redirects=False,
    )
