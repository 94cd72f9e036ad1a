"""The real app served over real HTTP (uvicorn on an ephemeral port, in a thread), on a
real database, with fictional organisations and a key for each role."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from api_support import PARTNER_X, PARTNER_Y
from fastapi import FastAPI

from freechoice.api import Settings, create_app
from freechoice.api.auth import create_key
from freechoice.catalog import Organization
from freechoice.catalog.db import save_organization
from freechoice.client import Client


@dataclass
class Live:
    url: str
    keys: dict[str, str]
    settings: Settings

    def client(self, who: str, **options: Any) -> Client:
        return Client(self.url, self.keys[who], **options)


def _seed(app: FastAPI) -> dict[str, str]:
    keys = {}
    with app.state.freechoice.db.session() as s, s.begin():
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
    return keys


@pytest.fixture(scope="module")
def live(database_url: str) -> Iterator[Live]:
    settings = Settings(database_url=database_url, load_sample=True, catalog_check_seconds=0, log_format="inherit")
    app = create_app(settings)
    keys = _seed(app)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:  # waiting for start-up only; no outcome depends on timing
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield Live(f"http://127.0.0.1:{port}", keys, settings)
    finally:
        server.should_exit = True
        thread.join(timeout=60)
