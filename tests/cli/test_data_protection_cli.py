"""`freechoice clients erase`, `retention run`, `db generate-key` and `db rotate-key`,
as an operator runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from freechoice.catalog import Organization
from freechoice.catalog.db import Database, save_organization
from freechoice.catalog.db.tables import AssessmentRow, OptionListRow, OrganizationRow

CLI = [sys.executable, "-m", "freechoice.api.cli"]


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, env=env)


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, FREECHOICE_DATABASE_URL=f"sqlite:///{tmp_path / 'dp.db'}", **extra)
    if "FREECHOICE_DATA_KEY" not in extra:
        env.pop("FREECHOICE_DATA_KEY", None)
    return env


def _client(db: Database, ref: str, org: str = "org-dp") -> None:
    with db.writing() as s:
        if s.get(OrganizationRow, org) is None:
            save_organization(s, Organization(id=org, name="Data protection (fictional)"), "test")
        s.add(
            AssessmentRow(
                id=f"as-{ref}", organization_id=org, client_ref=ref, data={"fears": ["broker"]}, created_by="t"
            )
        )
        s.flush()
        s.add(
            OptionListRow(
                id=f"ol-{ref}",
                organization_id=org,
                assessment_id=f"as-{ref}",
                client_ref=ref,
                rules_version="r",
                catalog_version="c",
                data={"client_ref": ref},
                created_by="t",
            )
        )


def test_clients_erase(tmp_path: Path):
    env = _env(tmp_path)
    db = Database(env["FREECHOICE_DATABASE_URL"])
    db.upgrade()
    _client(db, "c-cli-gone")
    _client(db, "c-cli-kept")
    refused = run("clients", "erase", "c-cli-gone", "--org", "org-dp", env=env)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    done = run("clients", "erase", "c-cli-gone", "--org", "org-dp", "--yes", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["erased"]["option_lists"] == 1
    with db.engine.connect() as conn:
        refs = conn.execute(text("SELECT client_ref FROM option_lists")).scalars().all()
        audit = conn.execute(text("SELECT action, client_ref, key_id FROM audit_log")).all()
    assert refs == ["c-cli-kept"] and audit == [("erase", None, "cli")]
    again = run("clients", "erase", "c-cli-gone", "--org", "org-dp", "--yes", env=env)
    assert again.returncode == 2 and "no data held" in again.stderr
    db.dispose()


def test_retention_run_and_dry_run(tmp_path: Path):
    env = _env(tmp_path, FREECHOICE_RETENTION_DAYS="1")
    db = Database(env["FREECHOICE_DATABASE_URL"])
    db.upgrade()
    _client(db, "c-old")
    with db.writing() as s:  # made three days ago
        s.execute(text("UPDATE option_lists SET created_at = datetime('now', '-3 days')"))
        s.execute(text("UPDATE assessments SET created_at = datetime('now', '-3 days')"))
    _client(db, "c-new")
    dry = run("retention", "run", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    report = json.loads(dry.stdout)
    assert report["dry_run"] and report["organizations"]["org-dp"]["option_lists"] == 1
    assert report["organizations"]["org-dp"]["retention_days"] == 1
    assert report["expired_web_sessions"] == 0 and report["audit_entries"] == 0  # the service's own records too
    real = run("retention", "run", env=env)
    assert json.loads(real.stdout)["organizations"]["org-dp"]["option_lists"] == 1
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT client_ref FROM option_lists")).scalars().all() == ["c-new"]
    db.dispose()


def test_generate_and_rotate_keys(tmp_path: Path):
    plain_env = _env(tmp_path)
    old = run("db", "generate-key", env=plain_env).stdout.strip()
    new = run("db", "generate-key", env=plain_env).stdout.strip()
    assert len(old) == 44 and old != new
    db = Database(plain_env["FREECHOICE_DATABASE_URL"])
    db.upgrade()
    _client(db, "c-plain")  # stored before a key was set
    db.dispose()
    no_key = run("db", "rotate-key", "--yes", env=plain_env)
    assert no_key.returncode == 2 and "FREECHOICE_DATA_KEY" in no_key.stderr
    no_yes = run("db", "rotate-key", env=_env(tmp_path, FREECHOICE_DATA_KEY=old))
    assert no_yes.returncode == 2 and "--yes" in no_yes.stderr
    sealed = run("db", "rotate-key", "--yes", env=_env(tmp_path, FREECHOICE_DATA_KEY=old))
    assert sealed.returncode == 0, sealed.stderr
    assert "option_lists: 0 re-encrypted, 1 encrypted that were plain" in sealed.stdout
    rotated = run("db", "rotate-key", "--yes", env=_env(tmp_path, FREECHOICE_DATA_KEY=f"{new},{old}"))
    assert "option_lists: 1 re-encrypted, 0 encrypted" in rotated.stdout
    after = Database(plain_env["FREECHOICE_DATABASE_URL"], data_key=new)
    with after.session() as s:
        assert s.get(OptionListRow, "ol-c-plain").data == {"client_ref": "c-plain"}
    after.dispose()
    bad = run("db", "rotate-key", "--yes", env=_env(tmp_path, FREECHOICE_DATA_KEY="not-a-key"))
    assert bad.returncode == 2 and "not a Fernet key" in bad.stderr
