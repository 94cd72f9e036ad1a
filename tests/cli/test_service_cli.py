"""`freechoice db`, `freechoice keys create` and `freechoice serve`, as an operator runs them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

CLI = [sys.executable, "-m", "freechoice.api.cli"]


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, env=env)


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ, FREECHOICE_DATABASE_URL=f"sqlite:///{tmp_path / 'svc.db'}")
    env.pop("FREECHOICE_DATA_KEY", None)
    return env


def test_db_commands(tmp_path: Path):
    env = _env(tmp_path)
    assert run("db", "current", env=env).stdout.strip() == "base (empty)"
    up = run("db", "upgrade", env=env)
    assert up.returncode == 0 and "0012" in up.stdout
    down = run("db", "downgrade", "base", "--yes", env=env)
    assert down.returncode == 0 and "base" in down.stdout


def test_keys_create_bootstraps_the_first_admin(tmp_path: Path):
    env = _env(tmp_path)
    missing = run("keys", "create", "--org", "org-net", "--role", "admin", env=env)
    assert missing.returncode == 2 and "--org-name" in missing.stderr
    bad_role = run("keys", "create", "--org", "org-net", "--role", "boss", "--org-name", "Net", env=env)
    assert bad_role.returncode == 2 and "caseworker" in bad_role.stderr
    made = run("keys", "create", "--org", "org-net", "--role", "admin", "--org-name", "Network (fictional)", env=env)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("fc_") and "shown only once" in made.stderr
    assert token not in (tmp_path / "svc.db").read_bytes().decode("latin-1")  # only the hash is stored


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_real_http_on_loopback(tmp_path: Path):
    env = _env(tmp_path)
    token = run(
        "keys", "create", "--org", "org-cw", "--role", "caseworker", "--org-name", "Caseworkers (fictional)", env=env
    ).stdout.strip()
    port = _free_port()
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 - closed in finally
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--sample"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, (tmp_path / "server.log").read_text()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.3)
        assert health.json()["status"] == "ok"
        assert httpx.get(f"http://127.0.0.1:{port}/docs", timeout=5).status_code == 200
        body = {
            "client_ref": "c-http",
            "needs": {"food": 4},
            "situation": {"location": {"country": "TH", "area": "Ranong"}, "languages": ["my"]},
        }
        r = httpx.post(
            f"http://127.0.0.1:{port}/option-lists", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert r.status_code == 201, r.text
        assert r.json()["needs"][0]["options"], "the sample catalog was loaded"
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
    lines = [json.loads(line) for line in (tmp_path / "server.log").read_text().splitlines() if line.strip()]
    assert any(
        line["level"] == "warning" and line["message"].startswith("FREECHOICE_DATA_KEY is not set") for line in lines
    )
    # the address a person opens: the workspace
    assert any(f"http://127.0.0.1:{port}/web/" in line["message"] for line in lines)
