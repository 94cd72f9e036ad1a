"""Shared helpers for the page tests: fictional people, signing in through the form."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["LiveServer", "PASSWORD", "axe_violations", "browser_sign_in", "csrf_of", "seed_people", "sign_in"]

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


class LiveServer:
    """The real app under uvicorn on an ephemeral loopback port, in a background thread
    (one per test module: start it in a module-scoped fixture)."""

    def __init__(self, app: Any) -> None:
        import socket
        import threading

        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> LiveServer:
        import time

        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:  # a condition polled with a generous bound, not a timed wait
            assert self.thread.is_alive(), "the server stopped while starting"
            assert time.monotonic() < deadline, "the server did not start within 60 s"
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.sock.close()


def browser_sign_in(page: Any, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the form in a real browser page, and wait for the start page."""
    page.goto(f"{base_url}/web/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/web/**")


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
    """axe-core run in the page: the violations of the given impacts (id, impact, nodes)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = results.response.get("violations", [])
    return [
        {
            "id": v["id"],
            "impact": v.get("impact"),
            "help": v.get("help"),
            "nodes": [n.get("target") for n in v["nodes"]][:5],
        }
        for v in found
        if v.get("impact") in impacts
    ]
