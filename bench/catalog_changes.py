"""Catalog changes at scale, side by side with the 1,000-service baseline in one run.

For each catalog size (generated fictional services on PostgreSQL), starts the product
(`freechoice serve --workers 2`) and prints:

* start: seconds until both workers logged "catalog loaded", without a snapshot (cold)
  and again with the snapshot the first start wrote (warm); in brackets the parent's
  load before the fork ("catalog preloaded") and each worker's own ("catalog loaded");
  and with the snapshot but no preload (FREECHOICE_PRELOAD_CATALOG=false: each worker
  loads the catalog itself, from the snapshot);
* phases of each start: the parent's wall seconds until its load began and the load's,
  then CPU seconds until both workers answered: the parent's (with its imports and its
  load where the code logs them: "workers starting", "catalog preloaded") and each
  worker's (from /proc: on a busy machine wall time is about CPU time over the share of
  a core the process gets);
* memory: resident set size (and PSS) of each worker after start, and after 100
  capacity changes;
* one capacity change (`PATCH /services/{id}/capacity`): time to answer (median, max);
  time until every worker logged it applied (by LISTEN/NOTIFY: the workers' poll is set
  to an hour, so only the notification can bring it);
* p99 of option lists from 4 concurrent clients without changes and while a capacity
  change is made every 0.2 s.

With ``--before PYTHON`` (another checkout's interpreter, e.g. main's
``.venv/bin/python``), the same figures are measured for that code too, on the same
databases in the same run: a "before" column beside each size.

The 100,000 run takes minutes (generating and importing the catalog): it is not part
of the test suite.

    python bench/catalog_changes.py [--sizes 1000,10000,100000] [--postgres URL] [--before PYTHON]
                                    [--start-only N]

``--start-only N`` measures start-up only (quicker): the cold start, the start without
preload, then the warm start N times. "Both workers answering" is until each worker's
uvicorn logged "Application startup complete." (its app built, its lifespan started).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from http_throughput import _bodies, _free_port, bench_database

from freechoice.api.auth import create_key
from freechoice.catalog import Organization
from freechoice.catalog.db import Database, import_catalog, save_organization
from freechoice.catalog.generate import generate_services

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CHANGES = 100


def _prepare(url: str, services: int) -> tuple[str, str, list[str]]:
    db = Database(url)
    db.upgrade()
    orgs, svcs = generate_services(services)
    with db.writing() as s:
        import_catalog(s, orgs, svcs, actor="bench")
        save_organization(s, Organization(id="org-bench", name="Bench (fictional)", sample=True), "bench")
        admin = create_key(s, "org-bench", "admin", created_by="bench")[1]
        cw = create_key(s, "org-bench", "caseworker", created_by="bench")[1]
    db.dispose()
    return admin, cw, [s.id for s in svcs[:: max(1, services // 50)]]


def _lines(log: Path) -> list[dict]:
    out = []
    for raw in log.read_text(errors="replace").splitlines():
        if raw.startswith("{"):
            try:
                out.append(json.loads(raw))
            except ValueError:
                pass
    return out


def _until(what, bound: float = 600.0, step: float = 0.005):  # type: ignore[no-untyped-def]
    end = time.monotonic() + bound
    while time.monotonic() < end:
        got = what()
        if got:
            return got
        time.sleep(step)
    raise SystemExit("bench: a condition did not hold in time")


class Server:
    def __init__(self, url: str, snapshot: Path, log: Path, python: str = sys.executable, preload: bool = True) -> None:
        self.port, self.log = _free_port(), log
        env = dict(
            {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            # compiled modules kept (outside the checkouts), as an installed package has them:
            # only the first start compiles
            PYTHONPYCACHEPREFIX=str(log.parent.parent / "pycache"),
            FREECHOICE_PRELOAD_CATALOG="true" if preload else "false",
            FREECHOICE_DATABASE_URL=url,
            FREECHOICE_CATALOG_SNAPSHOT=str(snapshot),
            FREECHOICE_CATALOG_CHECK_SECONDS="3600",
            FREECHOICE_LOG_FORMAT="json",
            FREECHOICE_RETENTION_INTERVAL_SECONDS="0",
        )
        cmd = [python, "-m", "freechoice.api.cli", "serve", "--port", str(self.port), "--workers", "2"]
        start, self.started_at = time.perf_counter(), time.time()
        self.proc = subprocess.Popen(cmd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
        loaded = _until(lambda: [r for r in _lines(log) if r.get("message") == "catalog loaded"][1:] and True)
        self.start_seconds = time.perf_counter() - start
        assert loaded
        # each worker's uvicorn says so once its app is built (routes imported) and its
        # lifespan started: only then does it answer
        _until(lambda: [r for r in _lines(log) if r.get("message") == "Application startup complete."][1:] and True)
        self.ready_seconds = time.perf_counter() - start
        self.pids = sorted({r["worker_pid"] for r in _lines(log) if r.get("message") == "catalog loaded"})
        self.worker_seconds = [r["seconds"] for r in _lines(log) if r.get("message") == "catalog loaded"]
        self.parent_seconds = [r["seconds"] for r in _lines(log) if r.get("message") == "catalog preloaded"]
        # CPU seconds each process used until both answered (the parent's: interpreter,
        # imports, migration check and load; a worker's: from its fork)
        self.cpu = {pid: _cpu_seconds(pid) for pid in [self.proc.pid, *self.pids]}
        _until(lambda: self._up())

    def _up(self) -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def start_text(self) -> str:
        """Until both workers are ready (in brackets: the parent before the fork, each
        worker's own load, where the code logs them)."""
        parts = [f"parent {self.parent_seconds[0]:.1f}"] if self.parent_seconds else []
        if self.worker_seconds:
            parts.append("workers " + " / ".join(f"{s:.1f}" for s in self.worker_seconds))
        return f"{self.start_seconds:.1f}" + (f" ({', '.join(parts)})" if parts else "")

    def phases_text(self) -> str:
        """Where the start went: the parent's wall seconds until its load began and the
        load's (where the code logs it), then CPU seconds: the parent's (in brackets its
        imports and its load, where the code logs them) and each worker's."""
        lines = _lines(self.log)
        pre = [r for r in lines if r.get("message") == "catalog preloaded"]
        starting = [r for r in lines if r.get("message") == "workers starting"]
        wall = ""
        if pre:
            at = dt.datetime.fromisoformat(pre[0]["time"]).timestamp()
            wall = f"wall: to load {at - pre[0]['seconds'] - self.started_at:.1f}, load {pre[0]['seconds']:.1f}; "
        cpu = f"CPU: parent {self.cpu[self.proc.pid]:.2f}"
        if starting and pre and "cpu_seconds" in pre[0]:
            cpu += f" (imports {starting[0]['imports_cpu_seconds']:.2f}, load {pre[0]['cpu_seconds']:.2f})"
        workers = " / ".join(f"{self.cpu[pid]:.2f}" for pid in self.pids)
        return f"{wall}{cpu}, workers {workers}"

    def rss_mb(self) -> list[str]:
        """Per worker: resident set size, and in brackets its proportional share (PSS:
        pages shared with the other worker and the parent counted in part)."""
        out = []
        for pid in self.pids:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
            kb = {line.split(":")[0]: int(line.split()[1]) for line in rollup[1:] if line.split()[1].isdigit()}
            out.append(f"{kb['Rss'] / 1024:.0f} ({kb['Pss'] / 1024:.0f})")
        return out

    def applied(self, revision: int) -> bool:
        seen = {
            r["worker_pid"]
            for r in _lines(self.log)
            if r.get("message") == "catalog changes applied" and r.get("revision", 0) >= revision
        }
        return seen >= set(self.pids)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(60)


def _cpu_seconds(pid: int) -> float:
    """User and system CPU seconds the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _revision(url: str) -> int:
    from freechoice.catalog.db import current_revision

    db = Database(url)
    with db.session() as s:
        rev = current_revision(s)
    db.dispose()
    return rev


class Changer:
    """Capacity changes by an admin, each with the ETag of the last answer."""

    def __init__(self, port: int, token: str, ids: list[str]) -> None:
        self.client = httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}, timeout=60
        )
        self.ids, self.etags, self.n = ids, {}, 0
        self.answer_ms: list[float] = []

    def change(self) -> None:
        sid = self.ids[self.n % len(self.ids)]
        status = ("full", "waitlist", "open")[self.n % 3]
        self.n += 1
        if sid not in self.etags:
            self.etags[sid] = self.client.get(f"/services/{sid}").headers["etag"]
        t0 = time.perf_counter()
        r = self.client.patch(
            f"/services/{sid}/capacity", json={"status": status}, headers={"If-Match": self.etags[sid]}
        )
        self.answer_ms.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, r.text
        self.etags[sid] = r.headers["etag"]


def _p99_option_lists(port: int, token: str, n: int, during: Changer | None) -> float:
    bodies = _bodies(n)
    lat: list[float] = []
    stop = threading.Event()

    def client(part: list[dict]) -> None:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as c:
            for b in part:
                t0 = time.perf_counter()
                r = c.post("/option-lists", json=b)
                lat.append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 201, r.text

    def changes() -> None:
        while not stop.wait(0.2):
            assert during is not None
            during.change()

    threads = [threading.Thread(target=client, args=(bodies[i::4],)) for i in range(4)]
    changer = threading.Thread(target=changes) if during is not None else None
    for t in [*threads, *([changer] if changer else [])]:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    if changer:
        changer.join()
    return statistics.quantiles(lat, n=100)[98]


def measure(
    size: int, postgres: str, folder: Path, requests: int, pythons: dict[str, str], starts: int | None = None
) -> dict[str, dict[str, str]]:
    """The figures at ``size`` services, for each interpreter of ``pythons`` (label ->
    interpreter whose ``freechoice`` is the code to measure), on one database (with
    ``starts``: only start-up, the warm start that many times)."""
    with bench_database("postgresql", postgres, folder, f"cc{size}_compact") as url:
        admin, cw, ids = _prepare(url, size)
        return {
            label: _measure_server(url, folder / f"{label}-{size}", python, admin, cw, ids, requests, starts)
            for label, python in pythons.items()
        }


def _measure_server(
    url: str, folder: Path, python: str, admin: str, cw: str, ids: list[str], requests: int, starts: int | None
) -> dict[str, str]:
    row: dict[str, str] = {}
    folder.mkdir()
    snapshot = folder / "snapshot.json"
    cold = Server(url, snapshot, folder / "cold.log", python)
    row["serve --workers 2 start, cold (s)"] = cold.start_text()
    row["  both workers answering, cold (s)"] = f"{cold.ready_seconds:.1f}"
    row["  phases, cold (s)"] = cold.phases_text()
    cold.stop()
    own = Server(url, snapshot, folder / "own.log", python, preload=False)
    row["start, snapshot, no preload (s)"] = own.start_text()
    row["  both workers answering, no preload (s)"] = f"{own.ready_seconds:.1f}"
    row["RSS (PSS) per worker, no preload (MB)"] = " / ".join(own.rss_mb())
    own.stop()
    if starts is not None:  # --start-only: the warm start again and again, nothing else
        for n in range(starts):
            warm = Server(url, snapshot, folder / f"warm{n}.log", python)
            row[f"serve --workers 2 start, snapshot, run {n + 1} (s)"] = warm.start_text()
            row[f"  both workers answering, run {n + 1} (s)"] = f"{warm.ready_seconds:.1f}"
            row[f"  phases, run {n + 1} (s)"] = warm.phases_text()
            row[f"  RSS (PSS) per worker, run {n + 1} (MB)"] = " / ".join(warm.rss_mb())
            warm.stop()
        return row
    server = Server(url, snapshot, folder / "warm.log", python)
    row["serve --workers 2 start, snapshot (s)"] = server.start_text()
    row["  both workers answering (s)"] = f"{server.ready_seconds:.1f}"
    row["  phases (s)"] = server.phases_text()
    row["RSS (PSS) per worker after start (MB)"] = " / ".join(server.rss_mb())
    changer = Changer(server.port, admin, ids)
    seen_ms = []
    for _ in range(20):
        changer.change()
        t0 = time.perf_counter()
        rev = _revision(url)
        _until(lambda rev=rev: server.applied(rev), bound=60, step=0.002)
        seen_ms.append((time.perf_counter() - t0) * 1000 + changer.answer_ms[-1])
    row["capacity change answer, median / max (ms)"] = (
        f"{statistics.median(changer.answer_ms):.0f} / {max(changer.answer_ms):.0f}"
    )
    row["seen by every worker, median / max (ms)"] = f"{statistics.median(seen_ms):.0f} / {max(seen_ms):.0f}"
    quiet = _p99_option_lists(server.port, cw, requests, None)
    busy = _p99_option_lists(server.port, cw, requests, changer)
    row["p99 option list without / during changes (ms)"] = f"{quiet:.0f} / {busy:.0f} ({busy / quiet:.2f}x)"
    while changer.n < CHANGES:
        changer.change()
    _until(lambda: server.applied(_revision(url)), bound=60)
    row[f"RSS (PSS) per worker after {CHANGES} changes (MB)"] = " / ".join(server.rss_mb())
    server.stop()
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="catalog sizes; 1000 is always run first")
    parser.add_argument("--postgres", default=PG)
    parser.add_argument("--requests", type=int, default=400, help="option lists per p99 measurement")
    parser.add_argument(
        "--before",
        metavar="PYTHON",
        help="also measure the code another interpreter runs (e.g. another checkout's .venv/bin/python), "
        "on the same databases: a 'before' column beside each size",
    )
    parser.add_argument(
        "--start-only",
        type=int,
        metavar="N",
        help="measure only start-up: the cold start, the start without preload, then the warm start N times",
    )
    args = parser.parse_args()
    sizes = sorted({1000, *(int(s) for s in args.sizes.split(","))})
    pythons = {"before": args.before, "now": sys.executable} if args.before else {"now": sys.executable}
    with tempfile.TemporaryDirectory() as tmp:
        rows = {}
        for size in sizes:
            print(f"measuring {size} services ...", file=sys.stderr, flush=True)
            for label, row in measure(size, args.postgres, Path(tmp), args.requests, pythons, args.start_only).items():
                rows[f"{size:,}" + (f" {label}" if args.before else "")] = row
    columns = list(rows)
    names = list(rows[columns[0]])
    width = max(len(n) for n in names)
    wide = {c: max(24, len(c), *(len(v) for v in rows[c].values())) for c in columns}
    print(f"{'':<{width}}  " + "  ".join(f"{c:>{wide[c]}}" for c in columns))
    for name in names:
        print(f"{name:<{width}}  " + "  ".join(f"{rows[c].get(name, ''):>{wide[c]}}" for c in columns))


if __name__ == "__main__":
    main()
