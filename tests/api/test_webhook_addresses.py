"""Webhook URLs on this machine's or a private network are refused unless the service
allows them (an offline network), and an Idempotency-Key retry never replays the
signing secret. Real HTTP through the app, SQLite file and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from freechoice.api import Settings, create_app
from freechoice.api.auth import create_key
from freechoice.catalog import Organization
from freechoice.catalog.db import save_organization
from freechoice.catalog.db.tables import IdempotencyRecord, OrganizationRow, WebhookSubscription


@pytest.fixture(scope="module")
def strict(database_url: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The service with its default settings: private webhook addresses refused."""
    app = create_app(Settings(database_url=database_url, webhook_delivery=False, access_log=False))
    with app.state.freechoice.db.writing() as s:
        save_organization(s, Organization(id="org-hooks", name="Hook caseworkers (fictional)"), "test")
        key = create_key(s, "org-hooks", "caseworker", created_by="test")[1]
    with TestClient(app) as client:
        yield client, {"Authorization": f"Bearer {key}"}
    app.state.freechoice.db.downgrade("base")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/in",
        "http://localhost:8080/in",
        "https://LOCALHOST./in",
        "http://api.localhost/in",
        "http://10.1.2.3/in",
        "http://172.16.0.1/in",
        "http://192.168.1.10/in",
        "http://169.254.169.254/latest/meta-data",  # a cloud's metadata service
        "http://0.0.0.0/in",
        "http://[::1]/in",
        "http://[fe80::1]/in",
        "http://[fd00::1]/in",
        "http://[::ffff:127.0.0.1]/in",
        "http://2130706433/in",  # 127.0.0.1 as one number
        "http://0x7f.1/in",
        "http://127.1/in",
    ],
)
def test_a_private_or_loopback_url_is_refused_naming_the_field(strict, url):
    client, cw = strict
    r = client.post("/webhooks", json={"url": url}, headers=cw)
    assert r.status_code == 422, (url, r.text)
    (error,) = r.json()["errors"]
    assert error["field"] == "url" and "public address" in error["message"], error


@pytest.mark.parametrize("url", ["ftp://cases.example.org/in", "gopher://127.0.0.1/in"])
def test_only_http_and_https_are_accepted(strict, url):
    client, cw = strict
    r = client.post("/webhooks", json={"url": url}, headers=cw)
    assert r.status_code == 422 and "http or https" in r.json()["errors"][0]["message"]


@pytest.mark.parametrize("url", ["https://cases.example.org/in", "https://93.184.216.34/in"])
def test_a_public_url_is_accepted(strict, url):
    client, cw = strict
    r = client.post("/webhooks", json={"url": url}, headers=cw)
    assert r.status_code == 201, r.text
    assert client.delete(r.headers["location"], headers=cw).status_code == 204


def test_an_offline_network_allows_private_addresses(database_url):
    app = create_app(Settings(database_url=database_url, webhook_delivery=False, webhook_private_addresses=True))
    with app.state.freechoice.db.writing() as s:
        if s.get(OrganizationRow, "org-offline") is None:
            save_organization(s, Organization(id="org-offline", name="Offline caseworkers (fictional)"), "test")
        key = create_key(s, "org-offline", "caseworker", created_by="test")[1]
    with TestClient(app) as client:
        r = client.post("/webhooks", json={"url": "http://192.168.1.10/in"}, headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 201, r.text
    app.state.freechoice.db.dispose()


def _subscribe(client: TestClient, cw: dict[str, str], key: str) -> Any:
    return client.post(
        "/webhooks",
        json={"url": "https://cases.example.org/retried", "description": "retried (fictional)"},
        headers={**cw, "Idempotency-Key": key},
    )


def test_a_retried_subscription_never_shows_the_secret_again(strict):
    client, cw = strict
    first = _subscribe(client, cw, "hook-retry-1")
    assert first.status_code == 201 and first.json()["secret"].startswith("whsec_")
    secret = first.json()["secret"]
    again = _subscribe(client, cw, "hook-retry-1")
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    replay = again.json()
    assert "secret" not in replay and secret not in again.text
    assert replay["id"] == first.json()["id"] and again.headers["location"] == first.headers["location"]
    assert "shown only in the first response" in replay["note"]
    db = client.app.state.freechoice.db
    with db.session() as s:
        stored = s.scalars(select(IdempotencyRecord).where(IdempotencyRecord.key == "hook-retry-1")).one()
        assert "secret" not in stored.body
        raw = s.execute(text("SELECT body FROM idempotency WHERE key = 'hook-retry-1'")).scalar_one()
        assert secret not in str(raw), "the stored response does not hold the secret"
        mine = select(func.count()).select_from(WebhookSubscription).where(WebhookSubscription.url.like("%retried"))
        assert s.scalar(mine) == 1, "the retry created nothing"
    client.delete(first.headers["location"], headers=cw)


def test_a_name_that_resolves_to_a_private_address_is_not_sent_to(strict):
    """Names are not resolved when subscribing; before each delivery they are: the
    machine's own name (it resolves to loopback here) gets nothing unless allowed."""
    import socket

    from webhook_receiver import receiver

    from freechoice.api.webhooks import Deliverer, RetryPolicy
    from freechoice.api.webhooks.addresses import address_of

    name = socket.gethostname()
    try:
        resolved = {address_of(str(a[4][0])) for a in socket.getaddrinfo(name, 80)}
    except OSError:
        pytest.skip(f"{name} does not resolve here")
    if not resolved or any(a is None or a.is_global for a in resolved) or "127.0.0.1" not in map(str, resolved):
        pytest.skip(f"{name} does not resolve to loopback here ({resolved})")
    client, cw = strict
    db = client.app.state.freechoice.db
    with receiver() as hook:
        port = hook.url.rsplit(":", 1)[1]
        made = client.post("/webhooks", json={"url": f"http://{name}:{port}/own-name"}, headers=cw)
        assert made.status_code == 201, made.text
        sub = made.json()["id"]
        test = client.post(f"/webhooks/{sub}/test", headers=cw).json()
        guarded = Deliverer(db, RetryPolicy(), timeout_seconds=5, private_addresses=False)
        try:
            (attempt,) = guarded.deliver_all_due()
        finally:
            guarded.close()
        assert attempt.delivery_id == test["id"] and not attempt.ok
        assert attempt.error.startswith("refused:") and "127.0.0.1" in attempt.error, attempt.error
        assert hook.at("/own-name") == [], "nothing was sent"
        shown = client.get(f"/webhooks/{sub}/deliveries", headers=cw).json()["items"][0]
        assert shown["last_error"] == attempt.error and shown["status"] == "pending"
        client.post(f"/webhooks/{sub}/deliveries/{test['id']}/retry", headers=cw)
        allowed = Deliverer(db, RetryPolicy(), timeout_seconds=5, private_addresses=True)
        try:
            (attempt,) = allowed.deliver_all_due()
        finally:
            allowed.close()
        assert attempt.ok and len(hook.at("/own-name")) == 1
    client.delete(f"/webhooks/{sub}", headers=cw)
