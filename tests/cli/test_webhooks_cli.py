"""`freechoice webhooks deliver|list|retry`, as an operator runs them, against a real
receiver on a loopback port."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from webhook_receiver import receiver

from freechoice.api import Settings, create_app
from freechoice.api.auth import create_key
from freechoice.api.webhooks import verify
from freechoice.catalog import Organization
from freechoice.catalog.db import save_organization

CLI = [sys.executable, "-m", "freechoice.api.cli"]


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, env=env)


def test_deliver_list_and_retry_from_the_command_line(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'hooks.db'}"
    env = dict(
        os.environ,
        FREECHOICE_DATABASE_URL=url,
        FREECHOICE_WEBHOOK_MAX_ATTEMPTS="1",
        FREECHOICE_WEBHOOK_PRIVATE_ADDRESSES="true",  # the receiver listens on 127.0.0.1
    )
    env.pop("FREECHOICE_DATA_KEY", None)
    app = create_app(
        Settings(database_url=url, webhook_delivery=False, log_format="inherit", webhook_private_addresses=True)
    )
    with app.state.freechoice.db.writing() as s:
        save_organization(s, Organization(id="org-cli", name="CLI caseworkers (fictional)"), "test")
        cw = {"Authorization": f"Bearer {create_key(s, 'org-cli', 'caseworker', created_by='test')[1]}"}
    with receiver() as hook, TestClient(app) as client:
        sub = client.post("/webhooks", json={"url": hook.url + "/cli"}, headers=cw).json()
        hook.answer("/cli", 500)
        first = client.post(f"/webhooks/{sub['id']}/test", headers=cw).json()

        sent = run("webhooks", "deliver", "--once", env=env)
        assert sent.returncode == 0, sent.stderr
        assert json.loads(sent.stdout.splitlines()[-1]) == {
            "delivery": first["id"],
            "status": "dead",
            "error": "HTTP 500 Internal Server Error",
        }

        listed = run("webhooks", "list", "--status", "dead", env=env)
        (row,) = [json.loads(line) for line in listed.stdout.splitlines()]
        assert row["id"] == first["id"] and row["attempts"] == 1 and row["last_error"].startswith("HTTP 500")
        assert sub["secret"] not in listed.stdout

        bad = run("webhooks", "list", "--status", "lost", env=env)
        assert bad.returncode == 2 and "dead" in bad.stderr
        assert run("webhooks", "retry", env=env).returncode == 2  # names nothing: refused

        again = run("webhooks", "retry", "--dead", env=env)
        assert json.loads(again.stdout) == {"requeued": 1, "ids": [first["id"]]}
        sent = run("webhooks", "deliver", "--once", env=env)
        assert json.loads(sent.stdout.splitlines()[-1])["status"] == "delivered"
        assert client.get(f"/webhooks/{sub['id']}", headers=cw).json()["deliveries"]["delivered"] == 1
    got = hook.at("/cli")
    assert len(got) == 2
    event = verify(sub["secret"], got[-1].body, got[-1].headers["freechoice-signature"])
    assert event["type"] == "webhook.test"
