"""The pages on a real database: fictional organisations and one account per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from api_support import PARTNER_X
from fastapi.testclient import TestClient
from web_support import PASSWORD, seed_people, sign_in

from freechoice.api import Settings, create_app


@dataclass
class Site:
    app: Any
    client: TestClient
    people: dict[str, str] = field(default_factory=dict)

    def browser(self, username: str | None = None) -> TestClient:
        """A new browser (its own cookies), signed in as ``username`` when given."""
        c = TestClient(self.app)
        if username is not None:
            sign_in(c, username, PASSWORD)
        return c


@pytest.fixture(scope="module")
def site(database_url: str) -> Iterator[Site]:
    app = create_app(
        Settings(
            database_url=database_url,
            load_sample=True,
            catalog_check_seconds=0,
            login_max_failures=3,
            login_lockout_minutes=30,
            access_log=False,
            access_check_seconds=0,  # a disabled person's key stops at the next request, not within 0.25 s
        )
    )
    people = seed_people(app.state.freechoice.db, partner_org=PARTNER_X)
    with TestClient(app) as client:
        yield Site(app, client, people)
    app.state.freechoice.db.downgrade("base")
