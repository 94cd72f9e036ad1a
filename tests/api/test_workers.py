"""`freechoice serve --workers N`: connections spread evenly over the workers, a dead
worker is replaced, and the whole service stops on SIGTERM (Linux: reads /proc)."""

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

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads /proc (Linux)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _workers(pid: int) -> list[int]:
    kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return sorted(int(k) for k in kids if b"spawn_main" in Path(f"/proc/{k}/cmdline").read_bytes())


def _server_sockets(port: int) -> set[str]:
    """Inodes of established connections whose local end is ``port``."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == "01":
            inodes.add(fields[9])
    return inodes


def _connections_of(pid: int, inodes: set[str]) -> int:
    n = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            n += 1
    return n


def _wait(predicate, what: str, seconds: float = 60):  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def server(tmp_path: Path):
    port = _free_port()
    env = dict(os.environ, FREECHOICE_DATABASE_URL=f"sqlite:///{tmp_path / 'w.db'}")
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "freechoice.api.cli", "serve", "--port", str(port), "--workers", "2"],
                                env=env, stdout=out, stderr=subprocess.STDOUT)

    def healthy() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    try:
        _wait(lambda: proc.poll() is not None or healthy(), "the server to start")
        assert proc.poll() is None, log.read_text()
        _wait(lambda: len(_workers(proc.pid)) == 2, "two workers")
        yield proc, port, healthy
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in _workers(proc.pid) if proc.poll() is None else []:
            os.kill(pid, signal.SIGKILL)
        proc.wait(30)


def _open(port: int, n: int) -> list[socket.socket]:
    """``n`` keep-alive connections opened at once, each answered once."""
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
    for s in socks:
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    for s in socks:
        assert s.recv(65536).startswith(b"HTTP/1.1 200")
    return socks


def test_a_burst_of_connections_is_shared_evenly(server):
    proc, port, _ = server
    socks = _open(port, 12)
    try:
        inodes = _server_sockets(port)
        counts = sorted(_connections_of(pid, inodes) for pid in _workers(proc.pid))
        assert counts == [6, 6]
    finally:
        for s in socks:
            s.close()


def test_new_connections_go_to_the_worker_with_fewer(server):
    proc, port, _ = server
    first = _open(port, 6)
    try:
        for s in first[::2]:  # close three; the worker that held them now has fewer
            s.close()
        time.sleep(0.5)  # workers report their counts every 0.1 s
        second = _open(port, 3)
        inodes = _server_sockets(port)
        counts = sorted(_connections_of(pid, inodes) for pid in _workers(proc.pid))
        assert counts == [3, 3]
        for s in second:
            s.close()
    finally:
        for s in first[1::2]:
            s.close()


def test_a_dead_worker_is_replaced_and_sigterm_stops_everything(server):
    proc, port, healthy = server
    before = _workers(proc.pid)
    os.kill(before[0], signal.SIGKILL)
    after = _wait(lambda: (w := _workers(proc.pid)) and len(w) == 2 and before[0] not in w and w, "a new worker")
    for _ in range(6):
        assert healthy()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == 0
    for pid in after:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
