"""Backups while the service writes, and restores that give the same data back."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from freechoice.catalog import FreechoiceError, Organization
from freechoice.catalog.db import Database, save_organization
from freechoice.catalog.db.backup import backup_sqlite, restore_sqlite
from freechoice.catalog.db.tables import AssessmentRow, OptionListRow

CLI = [sys.executable, "-m", "freechoice.api.cli"]


def _dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in a stable order."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


def _case(db: Database, n: int) -> None:
    """One client's assessment and option list, committed together."""
    with db.writing() as s:
        s.add(AssessmentRow(id=f"as-{n}", organization_id="org-bk", client_ref=f"c-{n}", data={"n": n}, created_by="t"))
        s.flush()
        s.add(
            OptionListRow(
                id=f"ol-{n}",
                organization_id="org-bk",
                assessment_id=f"as-{n}",
                client_ref=f"c-{n}",
                rules_version="r",
                catalog_version="c",
                data={"n": n, "options": ["x"] * 50},
                created_by="t",
            )
        )


@pytest.fixture
def live(tmp_path: Path):
    path = tmp_path / "live.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    with db.writing() as s:
        save_organization(s, Organization(id="org-bk", name="Backups (fictional)"), "test")
    yield path, db
    db.dispose()


WRITER = """
import sys
from pathlib import Path
from freechoice.catalog.db import Database
from freechoice.catalog.db.tables import AssessmentRow, OptionListRow

db = Database(sys.argv[1])
stop = Path(sys.argv[2])
n = 0
while not stop.exists() or n < 40:
    with db.writing() as s:  # one client's assessment and option list, committed together
        s.add(AssessmentRow(id=f"as-{n}", organization_id="org-bk", client_ref=f"c-{n}", data={"n": n}, created_by="t"))
        s.flush()
        s.add(OptionListRow(id=f"ol-{n}", organization_id="org-bk", assessment_id=f"as-{n}", client_ref=f"c-{n}",
                            rules_version="r", catalog_version="c", data={"n": n, "options": ["x"] * 50}, created_by="t"))
    n += 1
    print(n, flush=True)
db.dispose()
"""


def test_backup_while_another_process_writes_then_restore_gives_the_same_data(live, tmp_path: Path):
    path, db = live
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, f"sqlite:///{path}", str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        for line in writer.stdout:  # the writer is well under way (it keeps going during the backup)
            if int(line) >= 20:
                break
        info = backup_sqlite(path, tmp_path / "backup.db")
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    written = int(out.split()[-1]) if out.split() else 0
    assert info.revision == db.current() and info.size > 0
    snapshot = _dump(tmp_path / "backup.db")
    lists, assessments = len(snapshot["option_lists"]), len(snapshot["assessments"])
    assert 20 <= lists <= written and lists == assessments, "one consistent moment: every list with its assessment"
    assert not (tmp_path / "backup.db-wal").exists(), "a backup is one self-contained file"

    # into an empty place, and over the live database (whose later writes are undone)
    restore_sqlite(tmp_path / "backup.db", tmp_path / "fresh" / "restored.db")
    assert _dump(tmp_path / "fresh" / "restored.db") == snapshot
    assert len(_dump(path)["option_lists"]) == written >= 40
    db.dispose()
    restore_sqlite(tmp_path / "backup.db", path)
    assert _dump(path) == snapshot
    reopened = Database(f"sqlite:///{path}")
    with reopened.session() as s:
        assert s.get(OptionListRow, "ol-0").data["n"] == 0
    reopened.dispose()


def test_bad_backups_are_refused(live, tmp_path: Path):
    path, _ = live
    (tmp_path / "taken.db").write_bytes(b"")
    with pytest.raises(FreechoiceError, match="exists"):
        backup_sqlite(path, tmp_path / "taken.db")
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(FreechoiceError, match="not a SQLite database"):
        restore_sqlite(tmp_path / "junk.db", path)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(FreechoiceError, match="not a freechoice database"):
        restore_sqlite(other, path)


def test_backup_and_restore_commands(live, tmp_path: Path):
    path, db = live
    _case(db, 1)
    env = dict(os.environ, FREECHOICE_DATABASE_URL=f"sqlite:///{path}")
    env.pop("FREECHOICE_DATA_KEY", None)
    made = subprocess.run(
        [*CLI, "db", "backup", str(tmp_path / "b.db")], env=env, capture_output=True, text=True, timeout=120
    )
    assert made.returncode == 0 and "integrity ok" in made.stdout, made.stderr
    _case(db, 2)
    db.dispose()
    refused = subprocess.run(
        [*CLI, "db", "restore", str(tmp_path / "b.db")], env=env, capture_output=True, text=True, timeout=120
    )
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert len(_dump(path)["option_lists"]) == 2
    done = subprocess.run(
        [*CLI, "db", "restore", str(tmp_path / "b.db"), "--yes"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert [r[0] for r in _dump(path)["option_lists"]] == ["ol-1"]
    pg = subprocess.run(
        [*CLI, "db", "backup", str(tmp_path / "pg.db"), "--database-url", "postgresql+psycopg://u@h/d"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert pg.returncode == 2 and "pg_dump" in pg.stderr


@pytest.mark.postgres
def test_the_documented_pg_dump_route_restores_the_same_data(postgres_available, tmp_path: Path):
    if not postgres_available:
        pytest.skip("PostgreSQL not reachable")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore not installed")
    from conftest import PG_URL, _pg_schema_url

    schema = "fc_test_" + uuid.uuid4().hex[:12]
    admin = create_engine(PG_URL)
    plain_url = admin.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db = Database(_pg_schema_url(schema))
    try:
        db.upgrade()
        with db.writing() as s:
            save_organization(s, Organization(id="org-bk", name="Backups (fictional)"), "test")
        for n in range(5):
            _case(db, n)

        def rows() -> list[object]:
            with db.session() as s:
                return [(r.id, r.data) for r in s.query(OptionListRow).order_by(OptionListRow.id)]

        before, revision = rows(), db.current()
        dump = tmp_path / "fc.dump"
        subprocess.run(
            ["pg_dump", "--format=custom", f"--schema={schema}", f"--file={dump}", plain_url], check=True, timeout=120
        )
        _case(db, 99)  # written after the backup: gone after the restore
        db.engine.dispose()
        subprocess.run(
            ["pg_restore", "--clean", "--if-exists", f"--dbname={plain_url}", str(dump)], check=True, timeout=120
        )
        assert rows() == before and db.current() == revision
    finally:
        db.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
