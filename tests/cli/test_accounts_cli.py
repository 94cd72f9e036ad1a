"""`freechoice accounts`: the first admin, the list, a reset, a key for a person."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from web_support import sign_in

from freechoice.api import Settings, create_app
from freechoice.catalog.db.tables import AuditEntry

CLI = [sys.executable, "-m", "freechoice.api.cli"]


def run(*args: str, env: dict[str, str], password: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(env)
    if password is not None:
        env["FREECHOICE_PASSWORD"] = password
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, env=env)


def test_the_first_admin_signs_in_and_an_admin_reset_unlocks(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'accounts.db'}"
    env = dict(os.environ, FREECHOICE_DATABASE_URL=url)
    env.pop("FREECHOICE_DATA_KEY", None)
    env.pop("FREECHOICE_PASSWORD", None)
    short = run(
        "accounts",
        "create",
        "ada",
        "--org",
        "org-net",
        "--org-name",
        "Network (fictional)",
        "--role",
        "admin",
        env=env,
        password="short",
    )
    assert short.returncode == 2 and "password" in short.stderr and "10 characters" in short.stderr
    bad_role = run(
        "accounts",
        "create",
        "ada",
        "--org",
        "org-net",
        "--org-name",
        "Net",
        "--role",
        "boss",
        env=env,
        password="long enough pw",
    )
    assert bad_role.returncode == 2 and "caseworker, partner, manager, admin" in bad_role.stderr
    made = run(
        "accounts",
        "create",
        "ada",
        "--org",
        "org-net",
        "--org-name",
        "Network (fictional)",
        "--role",
        "admin",
        "--name",
        "Ada (fictional)",
        env=env,
        password="first password 1",
    )
    assert made.returncode == 0, made.stderr
    listed = run("accounts", "list", env=env)
    assert listed.stdout.split("\t")[:4] == ["ada", "admin", "org-net", "active"]
    key = run("accounts", "key", "ada", env=env)
    assert key.returncode == 0 and key.stdout.startswith("fc_")

    app = create_app(Settings(database_url=url, login_max_failures=2, access_log=False))
    with TestClient(app) as c:
        assert sign_in(c, "ada", "first password 1").status_code == 303
        other = TestClient(app)
        sign_in(other, "ada", "wrong")
        assert "locked" in sign_in(other, "ada", "wrong").text
        assert "locked" in run("accounts", "list", env=env).stdout
        reset = run("accounts", "reset", "ada", env=env, password="second password 2")
        assert reset.returncode == 0, reset.stderr
        assert c.get("/web/", follow_redirects=False).status_code == 303  # the reset signed ada out
        assert sign_in(other, "ada", "second password 2").status_code == 303
        # the key issued to ada: a call audited under her name
        assert c.get("/organizations", headers={"Authorization": f"Bearer {key.stdout.strip()}"}).status_code == 200

        disabled = run("accounts", "disable", "ada", env=env)
        assert disabled.returncode == 0 and "disabled" in disabled.stdout, disabled.stderr
        assert c.get("/web/", follow_redirects=False).status_code == 303, "her open session stopped"
        assert sign_in(c, "ada", "second password 2").status_code == 401
        assert run("accounts", "list", env=env).stdout.split("\t")[3] == "disabled"
        unknown = run("accounts", "disable", "nobody", env=env)
        assert unknown.returncode == 2 and "no account 'nobody'" in unknown.stderr
        assert run("accounts", "enable", "ada", env=env).returncode == 0
        assert sign_in(c, "ada", "second password 2").status_code == 303
    with app.state.freechoice.db.session() as s:
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.key_id == "cli")).all()
    assert actions == ["disable", "enable"]
