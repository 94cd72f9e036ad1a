"""`freechoice serve --workers N`: gunicorn runs N uvicorn workers on one port, answers
while a worker is killed, replaces the dead worker, and stops everything on SIGTERM.

Every wait here is for a state to be reached (with a generous deadline), never a sleep
whose length decides the result. Linux only: reads /proc for the worker processes.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _workers(pid: int) -> list[int]:
    """Live child processes of the server (the workers); zombies are not workers."""
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return []
    live = []
    for k in kids:
        try:
            state = Path(f"/proc/{k}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            continue
        if state != "Z":
            live.append(int(k))
    return sorted(live)


def _wait(predicate, what: str, seconds: float = 90):  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


@pytest.fixture
def server(tmp_path: Path):
    port = _free_port()
    env = dict(os.environ, FREECHOICE_DATABASE_URL=f"sqlite:///{tmp_path / 'w.db'}")
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "freechoice.api.cli", "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )

    def get(path: str = "/health") -> httpx.Response:
        return httpx.get(f"http://127.0.0.1:{port}{path}", timeout=30)

    def healthy() -> bool:
        try:
            return get().status_code == 200
        except httpx.TransportError:
            return False

    try:
        _wait(lambda: proc.poll() is not None or healthy(), "the server to start")
        assert proc.poll() is None, log.read_text()
        _wait(lambda: len(_workers(proc.pid)) == 2, "two workers")
        yield proc, get, log
    finally:
        workers = _workers(proc.pid)
        if proc.poll() is None:
            proc.kill()
        for pid in workers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait(30)


def test_two_workers_answer_on_one_port(server):
    proc, get, _ = server
    assert len(_workers(proc.pid)) == 2
    answers = [get() for _ in range(20)]
    assert all(r.status_code == 200 and r.json()["status"] == "ok" for r in answers)


def test_a_killed_worker_is_replaced_and_requests_are_answered_meanwhile(server):
    proc, get, log = server
    before = _workers(proc.pid)
    os.kill(before[0], signal.SIGKILL)
    # the other worker keeps accepting on the shared socket: new requests are answered
    # whether or not the replacement has started yet
    for _ in range(6):
        assert get().status_code == 200
    after = _wait(lambda: (w := _workers(proc.pid)) and len(w) == 2 and before[0] not in w and w, "a new worker")
    assert before[1] in after
    for _ in range(6):
        assert get().status_code == 200
    assert proc.poll() is None, log.read_text()


def test_sigterm_stops_the_server_and_every_worker(server):
    proc, _, log = server
    workers = _workers(proc.pid)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == 0, log.read_text()
    for pid in workers:
        _wait(
            lambda pid=pid: (
                not Path(f"/proc/{pid}").exists()
                or Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
            ),
            f"worker {pid} to end",
        )
