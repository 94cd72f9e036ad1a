"""Operations: /healthz, /readyz (503 when the database is gone), Prometheus metrics
(summed over gunicorn workers with a metrics directory), JSON logs with the request id
on every line, ``X-Request-ID`` honoured and returned."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from api_support import ASSESSMENT
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from freechoice.api import Settings, create_app
from freechoice.catalog.db import Database

CLI = [sys.executable, "-m", "freechoice.api.cli"]


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def _value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_healthz_readyz_and_the_old_health(world):
    assert world.client.get("/healthz").json() == {"status": "alive"}
    ready = world.client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "ready" and body["checks"] == {"database": "ok", "catalog": "ok"}
    health = world.client.get("/health").json()
    assert health["status"] == "ok" and health["catalog_version"] == body["catalog_version"]


def test_metrics_count_requests_option_lists_and_describe_the_catalog(world):
    before = _samples(world.client.get("/metrics").text)
    r = world.client.post("/option-lists", json=ASSESSMENT, headers=world.as_("cw_a"))
    assert r.status_code == 201
    replay = {**world.as_("cw_a"), "Idempotency-Key": "metrics-once"}
    world.client.post("/option-lists", json=ASSESSMENT, headers=replay)
    world.client.post("/option-lists", json=ASSESSMENT, headers=replay)  # a replay creates nothing
    world.client.post("/option-lists", json={"client_ref": "c"}, headers=world.as_("cw_a"))  # 422
    text = world.client.get("/metrics")
    assert text.headers["content-type"].startswith("text/plain")
    after = _samples(text.text)
    assert (
        _value(after, "freechoice_option_lists_created_total") - _value(before, "freechoice_option_lists_created_total")
        == 2
    )
    created = ("freechoice_http_requests_total", {"method": "POST", "route": "/option-lists", "status": "201"})
    assert _value(after, created[0], **created[1]) - _value(before, created[0], **created[1]) == 3
    assert _value(after, "freechoice_http_requests_total", method="POST", route="/option-lists", status="422") >= 1
    assert _value(after, "freechoice_http_request_duration_seconds_count", method="POST", route="/option-lists") >= 4
    assert (
        _value(
            after, "freechoice_http_request_duration_seconds_bucket", method="POST", route="/option-lists", le="+Inf"
        )
        >= 4
    )
    ready = world.client.get("/readyz").json()
    assert _value(after, "freechoice_catalog_services") == ready["services"] > 0
    assert (
        _value(
            after,
            "freechoice_catalog_info",
            catalog_version=ready["catalog_version"],
            rules_version=ready["rules_version"],
        )
        == 1
    )
    assert ("freechoice_db_pool_connections", (("state", "checked_out"),)) in after
    assert _value(after, "freechoice_db_pool_connections", state="size") >= 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(args: list[str], env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*CLI, "serve", "--port", str(port), *args], env=env, stdout=subprocess.DEVNULL, stderr=out
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:  # waits for start-up only; no result depends on how long it takes
        try:
            if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.2)


def _workers(pid: int) -> list[int]:
    """Live child processes of the server (the workers)."""
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return []
    live = []
    for k in kids:
        try:
            if Path(f"/proc/{k}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                live.append(int(k))
        except FileNotFoundError:
            continue
    return sorted(live)


def _wait(predicate, what: str, seconds: float = 90):  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:  # waits for a state; the deadline only bounds a failure
        if result := predicate():
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    proc.wait(60)


def _key(env: dict[str, str]) -> str:
    made = subprocess.run(
        [*CLI, "keys", "create", "--org", "org-cw", "--role", "caseworker", "--org-name", "Caseworkers (fictional)"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    return made.stdout.strip()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_json_logs_carry_the_request_id_on_every_line(tmp_path: Path, workers: str):
    env = dict(os.environ, FREECHOICE_DATABASE_URL=f"sqlite:///{tmp_path / 'logs.db'}")
    token = _key(env)
    log = tmp_path / "serve.log"
    proc, base = _start(["--workers", workers, "--sample"], env, log)
    try:
        headers = {"Authorization": f"Bearer {token}", "X-Request-ID": "trace-logs-1"}
        ok = httpx.post(f"{base}/option-lists", json=ASSESSMENT, headers=headers, timeout=30)
        assert ok.status_code == 201 and ok.headers["x-request-id"] == "trace-logs-1"
        bad = httpx.post(
            f"{base}/option-lists", json={"client_ref": "c"}, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        assert bad.status_code == 422 and bad.json()["request_id"] == bad.headers["x-request-id"]
    finally:
        _stop(proc)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]  # every line is JSON
    assert lines and all("request_id" in line and {"time", "level", "logger", "message"} <= set(line) for line in lines)
    mine = [line for line in lines if line["request_id"] == "trace-logs-1"]
    assert mine and mine[-1]["route"] == "/option-lists" and mine[-1]["status"] == 201
    assert any(line["request_id"] == bad.headers["x-request-id"] and line.get("status") == 422 for line in lines)
    server = "gunicorn.error" if workers == "2" else "uvicorn.error"  # the server's own lines are JSON too
    assert any(line["logger"] == server for line in lines)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_metrics_add_up_over_gunicorn_workers(tmp_path: Path):
    metrics_dir = tmp_path / "metrics"
    env = dict(
        os.environ,
        FREECHOICE_DATABASE_URL=f"sqlite:///{tmp_path / 'metrics.db'}",
        FREECHOICE_METRICS_DIR=str(metrics_dir),
    )
    token = _key(env)
    proc, base = _start(["--workers", "2", "--sample"], env, tmp_path / "serve.log")
    per_worker = Database(env["FREECHOICE_DATABASE_URL"]).engine.pool.size()

    def scrape() -> dict:
        return _samples(httpx.get(f"{base}/metrics", timeout=30).text)

    try:
        for i in range(6):  # a new connection each: gunicorn's workers share them out
            r = httpx.post(
                f"{base}/option-lists",
                json={**ASSESSMENT, "client_ref": f"c-m-{i}"},
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            assert r.status_code == 201, r.text
        for _ in range(4):  # whichever worker answers reports the total of all of them
            samples = scrape()
            assert _value(samples, "freechoice_option_lists_created_total") == 6
            assert (
                _value(samples, "freechoice_http_requests_total", method="POST", route="/option-lists", status="201")
                == 6
            )
            assert _value(samples, "freechoice_db_pool_connections", state="size") == 2 * per_worker
        # a worker dies and is replaced: its counts stay, its pool no longer counts
        killed = _workers(proc.pid)[0]
        os.kill(killed, signal.SIGKILL)
        _wait(lambda: (w := _workers(proc.pid)) and len(w) == 2 and killed not in w, "a new worker")
        _wait(
            lambda: _value(scrape(), "freechoice_db_pool_connections", state="size") == 2 * per_worker,
            "the pools of exactly the two live workers",
        )
        assert _value(scrape(), "freechoice_option_lists_created_total") == 6
    finally:
        _stop(proc)
    writers = {p.stem.rsplit("_", 1)[-1] for p in metrics_dir.glob("counter_*.db")}
    assert len(writers) >= 2, "both workers write their metrics to the configured directory"


@pytest.mark.parametrize("offered", ["bad id with spaces", "x" * 200])
def test_a_request_id_that_is_not_a_short_token_is_replaced(world, offered):
    r = world.client.get("/healthz", headers={"X-Request-ID": offered})
    assert r.headers["x-request-id"] != offered and len(r.headers["x-request-id"]) == 32


class _Proxy:
    """A loopback TCP relay to PostgreSQL that can be cut and restored: the database
    really becomes unreachable for the app, and reachable again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = _free_port()
        self.listener: socket.socket | None = None
        self.links: list[socket.socket] = []
        self.silent = False  # accept connections and never answer (a server that hangs)

    def start(self) -> None:
        import threading

        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        import threading

        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            self.links.append(client)
            if self.silent:
                continue
            upstream = socket.create_connection(self.target)
            self.links.append(upstream)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        assert self.listener is not None
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread (close alone does not)
        except OSError:
            pass
        self.listener.close()
        for s in self.links:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        self.links.clear()


def _cut_sqlite(folder: Path):  # noqa: ANN202
    """Put a file that is not a database where the database was; give it back after.
    (A file of its own: no other app in the test module holds it open.)"""
    from contextlib import contextmanager

    path = folder / "ready.db"
    url = f"sqlite:///{path}"

    @contextmanager
    def cut(engine):  # noqa: ANN001, ANN202
        # the write-ahead log goes too: SQLite would read the real pages from it
        parts = [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]
        for p in parts:
            p.rename(f"{p}.moved")
        path.write_bytes(b"this is not a database file" * 100)
        # pooled connections go only after the file is replaced: one a background thread
        # opens in between would otherwise still reach the real database
        engine.dispose()
        try:
            yield
        finally:
            path.unlink()
            for p in parts:
                Path(f"{p}.moved").rename(p)
            engine.dispose()  # after the files are back, for the same reason

    return url, cut, lambda: None


def _cut_postgresql(url: str):  # noqa: ANN202
    """Reach the server through a relay on loopback, and cut the relay."""
    from contextlib import contextmanager

    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    proxy = _Proxy((parsed.host or "127.0.0.1", parsed.port or 5432))
    proxy.start()

    @contextmanager
    def cut(engine):  # noqa: ANN001, ANN202
        proxy.cut()
        try:
            yield
        finally:
            proxy.start()

    return parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False), cut, proxy.cut


def test_readyz_is_503_while_the_database_is_unreachable(database_url: str, tmp_path: Path):
    """SQLite: the file is no database; PostgreSQL: the connection is cut. Alive all the
    same, and ready again once the database is back."""
    if database_url.startswith("sqlite"):
        url, cut, close = _cut_sqlite(tmp_path)
    else:
        url, cut, close = _cut_postgresql(database_url)
    app = create_app(Settings(database_url=url, log_format="inherit"))
    with TestClient(app) as client:
        assert client.get("/readyz").status_code == 200
        with cut(app.state.freechoice.db.engine):
            r = client.get("/readyz", headers={"X-Request-ID": "ready-check-1"})
            assert r.status_code == 503 and r.headers["content-type"].startswith("application/problem+json"), r.text
            body = r.json()
            assert body["checks"]["database"].startswith("unreachable") and body["request_id"] == "ready-check-1"
            assert "database" in body["detail"]
            assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
    close()


def test_readyz_answers_503_soon_when_postgresql_accepts_and_never_answers(database_url: str):
    """A server that takes the connection and then says nothing (a hung host, a
    firewall): the check's connect timeout ends the wait, so /readyz answers 503."""
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only: a SQLite file answers or fails at once")
    import threading

    from sqlalchemy.engine import make_url

    parsed = make_url(database_url)
    proxy = _Proxy((parsed.host or "127.0.0.1", parsed.port or 5432))
    proxy.start()
    url = parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    settings = Settings(
        database_url=url,
        log_format="inherit",
        catalog_listen=False,
        retention_interval_seconds=0,
        webhook_delivery=False,
        ready_timeout_seconds=2,
    )
    app = create_app(settings)
    try:
        with TestClient(app) as client:
            assert client.get("/readyz").status_code == 200
            proxy.cut()
            proxy.silent = True
            proxy.start()  # the port takes connections again, and never answers on them
            answers: list[httpx.Response] = []
            asking = threading.Thread(target=lambda: answers.append(client.get("/readyz")), daemon=True)
            asking.start()
            asking.join(120)  # a bound against hanging for ever, not a measurement
            assert answers, "/readyz hung on a database that never answers"
            r = answers[0]
            assert r.status_code == 503, r.text
            checks = r.json()["checks"]
            assert checks["database"].startswith("unreachable") and checks["catalog"].startswith("not checked")
            assert client.get("/healthz").status_code == 200
            proxy.cut()
            proxy.silent = False
            proxy.start()
            assert client.get("/readyz").status_code == 200, "ready again once the database answers"
    finally:
        proxy.cut()
