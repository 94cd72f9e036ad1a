"""Soak: a mixed workload at a fixed rate for minutes, printing latency and worker memory over time.

Starts `freechoice serve --workers 2` (gunicorn, uvicorn workers) on SQLite or
PostgreSQL with a generated fictional catalog, then sends requests that fall due at a
fixed rate (default 100/s) whether or not earlier ones were answered, over 32 keep-alive
connections, and counts each latency from when its request was due. The mix is what a
service sees in a day: caseworkers proposing option lists and reading them back,
referral boards, KPIs, partners reading services and changing capacity.

Every interval it prints the requests answered, p50 / p99 / max latency, errors, and
the resident memory of each worker process (from /proc), so a stall or a leak shows as
a line, not as an average.

    python bench/soak.py [--database postgresql|sqlite] [--rate 100] [--seconds 300]
        [--interval 10] [--services 10000] [--workers 2]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
from pathlib import Path

import httpx
from http_throughput import (  # the same set-up as the throughput bench
    _bodies,
    _free_port,
    _prepare,
    _serve,
    bench_database,
)

from freechoice.api.auth import create_key
from freechoice.catalog.db import Database

MIX = [  # (share, what)
    (0.45, "propose"),
    (0.20, "read list"),
    (0.10, "referrals"),
    (0.05, "kpis"),
    (0.15, "services"),
    (0.05, "capacity"),
]


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return float("nan")


def _workers(pid: int) -> list[int]:
    try:
        return sorted(int(k) for k in Path(f"/proc/{pid}/task/{pid}/children").read_text().split())
    except FileNotFoundError:
        return []


async def _soak(
    port: int, keys: dict[str, str], server_pid: int, rate: float, seconds: float, interval: float, seed: int = 7
) -> None:
    rng = random.Random(seed)
    bodies = _bodies(500)
    lists: list[str] = []
    services: list[str] = []
    window: list[float] = []
    everything: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=60) as client:
        cw = {"Authorization": f"Bearer {keys['caseworker']}"}
        admin = {"Authorization": f"Bearer {keys['admin']}"}
        first = await client.get("/services?limit=200", headers=admin)
        services = [s["id"] for s in first.json()["items"]]

        async def one(what: str, due: float) -> None:
            nonlocal errors
            try:
                if what == "propose" or (what == "read list" and not lists):
                    r = await client.post("/option-lists", json=rng.choice(bodies), headers=cw)
                    if r.status_code == 201:
                        lists.append(r.json()["id"])
                        del lists[:-500]
                elif what == "read list":
                    r = await client.get(f"/option-lists/{rng.choice(lists)}", headers=cw)
                elif what == "referrals":
                    r = await client.get("/referrals?limit=50", headers=cw)
                elif what == "kpis":
                    r = await client.get("/kpis", headers=cw)
                elif what == "services":
                    r = await client.get(f"/services/{rng.choice(services)}", headers=admin)
                else:
                    sid = rng.choice(services)
                    got = await client.get(f"/services/{sid}", headers=admin)
                    status = rng.choice(["open", "waitlist", "open"])
                    r = await client.patch(
                        f"/services/{sid}/capacity",
                        json={"status": status},
                        headers={**admin, "If-Match": got.headers.get("etag", "*")},
                    )
                    if r.status_code == 412:  # someone else changed it first: a normal answer
                        r.status_code = 200
                ok = r.status_code < 400
            except httpx.HTTPError:
                ok = False
            latency = (loop.time() - due) * 1000
            window.append(latency)
            everything.append(latency)
            errors += not ok

        loop = asyncio.get_running_loop()
        start = loop.time() + 0.5
        total = int(rate * seconds)
        shares = [s for s, _ in MIX]
        names = [w for _, w in MIX]
        tasks: set[asyncio.Task[None]] = set()
        next_report = start + interval
        print(f"{'t (s)':>6} {'answered':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7}  worker RSS (MB)")
        for i in range(total):
            due = start + i / rate
            while loop.time() >= next_report:
                _report(next_report - start, window, errors, server_pid)
                window.clear()
                next_report += interval
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            task = asyncio.create_task(one(rng.choices(names, shares)[0], due))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        await asyncio.gather(*tasks)
        _report(loop.time() - start, window, errors, server_pid)
    q = statistics.quantiles(everything, n=100)
    print(
        f"overall: {len(everything)} requests at {rate:.0f}/s due, p50 {q[49]:.1f} ms, p99 {q[98]:.1f} ms, "
        f"max {max(everything):.1f} ms, errors {errors}"
    )


def _report(t: float, window: list[float], errors: int, server_pid: int) -> None:
    rss = " ".join(f"{_rss_mb(p):.0f}" for p in _workers(server_pid))
    if len(window) >= 2:
        q = statistics.quantiles(window, n=100)
        print(f"{t:6.0f} {len(window):9d} {q[49]:8.1f} {q[98]:8.1f} {max(window):8.1f} {errors:7d}  {rss}", flush=True)
    else:
        print(f"{t:6.0f} {len(window):9d} {'-':>8} {'-':>8} {'-':>8} {errors:7d}  {rss}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    ap.add_argument("--rate", type=float, default=100.0)
    ap.add_argument("--seconds", type=float, default=300.0)
    ap.add_argument("--interval", type=float, default=10.0)
    ap.add_argument("--services", type=int, default=10000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--postgres",
        default=os.environ.get("FREECHOICE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    )
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fc-soak-"))
    with bench_database(args.database, args.postgres, tmp, "soak") as url:
        keys = {"caseworker": _prepare(url, args.services)}
        db = Database(url)
        with db.writing() as s:
            keys["admin"] = create_key(s, "org-bench-cw", "admin", created_by="bench")[1]
        db.dispose()
        port = _free_port()
        log = tmp / "serve.log"
        proc = _serve(url, args.workers, port, log)
        print(
            f"freechoice soak: {args.database}, {args.services} generated services (fictional), "
            f"{args.workers} workers, {args.rate:.0f} requests/s due for {args.seconds:.0f} s; mix: "
            + ", ".join(f"{w} {s:.0%}" for s, w in MIX)
        )
        try:
            asyncio.run(_soak(port, keys, proc.pid, args.rate, args.seconds, args.interval))
        finally:
            proc.terminate()
            proc.wait(timeout=60)
        print(f"server log: {log}")


if __name__ == "__main__":
    main()
