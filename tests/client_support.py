"""For the client tests: the real app served over real HTTP (uvicorn on an ephemeral
port, in a thread) with a key for each role, and transports: real HTTP, recorded, or
with answers lost on the way."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from api_support import PARTNER_X, PARTNER_Y
from fastapi import FastAPI

from freechoice.api import Settings, create_app
from freechoice.api.auth import create_key
from freechoice.catalog import Organization
from freechoice.catalog.db import save_organization
from freechoice.client import Client

__all__ = ["Live", "LosesAnswers", "Recording", "serve", "settings_for"]


class Recording(httpx.HTTPTransport):
    """A real HTTP transport that keeps what went over it: (method, path, request
    headers, status)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, str, httpx.Headers, int]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        self.seen.append((request.method, request.url.path, request.headers, response.status_code))
        return response


class LosesAnswers(Recording):
    """A real HTTP transport whose first ``losses`` answers to POSTs never arrive: the
    request reaches the server and is carried out, then the connection fails (as when a
    network drops the answer)."""

    def __init__(self, losses: int = 1) -> None:
        super().__init__()
        self.losses = losses

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.method == "POST" and self.losses > 0:
            self.losses -= 1
            response.read()
            raise httpx.ReadError("the answer was lost", request=request)
        return response


@dataclass
class Live:
    url: str
    keys: dict[str, str]
    settings: Settings
    app: FastAPI

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


@contextmanager
def serve(settings: Settings) -> Iterator[Live]:
    """The app made with ``settings``, seeded, served on an ephemeral port until the block ends."""
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
        yield Live(f"http://127.0.0.1:{port}", keys, settings, app)
    finally:
        server.should_exit = True
        thread.join(timeout=60)


def settings_for(database_url: str, **values: Any) -> Settings:
    return Settings(
        database_url=database_url, load_sample=True, catalog_check_seconds=0, log_format="inherit", **values
    )
