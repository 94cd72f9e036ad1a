"""Commands that destroy data ask first: ``db downgrade`` needs the target named and
``--yes`` (or a "y" typed at a terminal); refused, it changes nothing."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "freechoice.api.cli"]


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL)


def _migrated(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ, FREECHOICE_DATABASE_URL=f"sqlite:///{tmp_path / 'danger.db'}")
    assert run("db", "upgrade", env=env).returncode == 0
    return env


def _at_a_terminal(answer: str, *args: str, env: dict[str, str]) -> tuple[int, str]:
    """Run with a terminal as stdin/stdout and ``answer`` already typed."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([*CLI, *args], stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    os.write(leader, answer.encode())
    out = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closes when the command exits
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    return proc.wait(timeout=120), out.decode(errors="replace")


def test_downgrade_without_a_target_refuses(tmp_path: Path):
    env = _migrated(tmp_path)
    head = run("db", "current", env=env).stdout.strip()
    r = run("db", "downgrade", "--yes", env=env)
    assert r.returncode == 2 and "REVISION" in r.stderr and "nothing was changed" in r.stderr
    assert run("db", "current", env=env).stdout.strip() == head


def test_downgrade_needs_yes_when_nobody_can_be_asked(tmp_path: Path):
    env = _migrated(tmp_path)
    head = run("db", "current", env=env).stdout.strip()
    r = run("db", "downgrade", "base", env=env)
    assert r.returncode == 2
    assert "--yes" in r.stderr and "all data will be removed" in r.stderr
    assert run("db", "current", env=env).stdout.strip() == head
    done = run("db", "downgrade", "base", "--yes", env=env)
    assert done.returncode == 0 and "base" in done.stdout
    assert run("db", "current", env=env).stdout.strip() == "base (empty)"


def test_downgrade_asks_at_a_terminal(tmp_path: Path):
    env = _migrated(tmp_path)
    head = run("db", "current", env=env).stdout.strip()
    code, out = _at_a_terminal("n\n", "db", "downgrade", "0001", env=env)
    assert code == 1 and "Continue?" in out and "nothing was changed" in out
    assert run("db", "current", env=env).stdout.strip() == head
    code, out = _at_a_terminal("y\n", "db", "downgrade", "0001", env=env)
    assert code == 0 and "database at 0001" in out
    assert run("db", "current", env=env).stdout.strip() == "0001"


def test_version(tmp_path: Path):
    r = run("--version", env=dict(os.environ))
    assert r.returncode == 0
    from importlib.metadata import version

    assert r.stdout.strip() == f"freechoice {version('freechoice')}"
