"""An app on a real database with fictional organisations and a key for each role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from api_support import PARTNER_X, PARTNER_Y
from fastapi.testclient import TestClient

from freechoice.api import Settings, create_app
from freechoice.api.auth import create_key
from freechoice.catalog import Organization
from freechoice.catalog.db import save_organization


@dataclass
class World:
    client: TestClient
    keys: dict[str, str]

    def as_(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}


@pytest.fixture(scope="module")
def world(database_url: str) -> Iterator[World]:
    app = create_app(
        # deliveries are driven explicitly in tests/api/test_webhooks.py: no background loop here
        # webhook receivers in these tests listen on 127.0.0.1 (test_webhooks.py checks the refusal)
        Settings(
            database_url=database_url,
            load_sample=True,
            catalog_check_seconds=0,
            webhook_delivery=False,
            webhook_private_addresses=True,
        )
    )
    state = app.state.freechoice
    keys = {}
    with state.db.session() as s, s.begin():
        save_organization(s, Organization(id="org-admin", name="Network Secretariat (fictional)"), "test")
        save_organization(s, Organization(id="org-cw-a", name="Caseworkers A (fictional)"), "test")
        save_organization(s, Organization(id="org-cw-b", name="Caseworkers B (fictional)"), "test")
        for name, org, role in [
            ("admin", "org-admin", "admin"),
            ("cw_a", "org-cw-a", "caseworker"),
            ("cw_b", "org-cw-b", "caseworker"),
            ("partner_x", PARTNER_X, "partner"),
            ("partner_y", PARTNER_Y, "partner"),
        ]:
            keys[name] = create_key(s, org, role, created_by="test")[1]
    with TestClient(app) as client:
        yield World(client, keys)
    state.db.downgrade("base")
