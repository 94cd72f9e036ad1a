"""Option lists per second over HTTP, 32 concurrent clients on loopback, at 10,000 services.

Starts `freechoice serve` (uvicorn) on SQLite and on PostgreSQL with a generated
fictional catalog and sends POST /option-lists from 32 concurrent connections, two ways,
printed side by side with the in-process figure for the same requests:

* saturation: each connection sends its next request as soon as the last one is
  answered, so the service runs flat out. This gives the most option lists per second;
  latency here is only the queue (32 waiting requests / throughput, Little's law).
  The load comes from wrk (Debian package `wrk`, a C program that takes little of the
  two cores) for a bounded number of seconds; without wrk, from 32 httpx clients.
* at the target rate: requests are due at a fixed rate (300/s) whether or not earlier
  ones were answered, spread over the same 32 connections, and each latency is counted
  from the moment its request was due (so a slow reply also counts against the
  requests queued behind it). This is the latency a caseworker sees at that load.
  wrk cannot send at a fixed rate and wrk2 is not packaged here, so this load comes
  from a small asyncio client below (pre-encoded requests, responses read by
  Content-Length) that takes a few percent of one core.

Target: >= 300 option lists/s, p99 < 100 ms.

    python bench/http_throughput.py [--seconds 15] [--requests 2000] [--services 10000]
        [--workers 2] [--rate 300] [--databases sqlite,postgresql] [--servers gunicorn,balancer] [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from freechoice.api.auth import create_key
from freechoice.catalog import Catalog, Organization
from freechoice.catalog.db import Database, import_catalog, save_organization
from freechoice.catalog.generate import GENERATED_PLACES, generate_services
from freechoice.engine import load_rules, parse_assessment, propose
from freechoice.engine.cohort import synthetic_assessment_dicts

CONCURRENCY = 32


def _bodies(n: int) -> list[dict]:
    th = [p for p in GENERATED_PLACES if p[0] == "TH"]
    out = []
    for i, d in enumerate(synthetic_assessment_dicts(min(n, 500), seed=5)):
        country, area = th[i % len(th)]
        d["situation"]["location"] = {"country": country, "area": area}
        out.append(d)
    return [out[i % len(out)] for i in range(n)]


@contextmanager
def bench_database(kind: str, postgres: str, folder: Path, name: str) -> Iterator[str]:
    """A fresh database for a bench run: a SQLite file in ``folder``, or a new schema on
    the PostgreSQL server at ``postgres`` (dropped again afterwards). Yields its URL."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / (name + '.db')}"
        return
    schema = f"fc_{name}_" + uuid.uuid4().hex[:8]
    admin = create_engine(postgres)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{postgres}{'&' if '?' in postgres else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepare(url: str, services: int) -> str:
    db = Database(url)
    db.upgrade()
    orgs, svcs = generate_services(services)
    with db.writing() as s:
        import_catalog(s, orgs, svcs, actor="bench")
        save_organization(s, Organization(id="org-bench-cw", name="Bench caseworkers (fictional)"), "bench")
        token = create_key(s, "org-bench-cw", "caseworker", created_by="bench")[1]
    db.dispose()
    return token


async def _load(port: int, token: str, bodies: list[dict]) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[dict] = asyncio.Queue()
    for b in bodies:
        queue.put_nowait(b)
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=30, headers={"Authorization": f"Bearer {token}"}
    ) as client:

        async def worker() -> None:
            nonlocal errors
            while not queue.empty():
                body = queue.get_nowait()
                t0 = time.perf_counter()
                r = await client.post("/option-lists", json=body)
                latencies.append((time.perf_counter() - t0) * 1000)
                errors += r.status_code != 201

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return time.perf_counter() - start, latencies, errors


def _encoded(port: int, token: str, bodies: list[dict]) -> list[bytes]:
    out = []
    for b in bodies[:200]:
        data = json.dumps(b).encode()
        out.append(
            b"POST /option-lists HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAuthorization: Bearer %s\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (port, token.encode(), len(data), data)
        )
    return out


async def _fixed_rate(port: int, requests: list[bytes], rate: float, seconds: float) -> tuple[float, list[float], int]:
    """Send ``rate`` requests per second for ``seconds`` over CONCURRENCY keep-alive
    connections; (achieved rate, latencies from each request's due time in ms, errors)."""
    total = int(rate * seconds)
    latencies: list[float] = []
    errors = 0
    next_index = 0
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.2

    async def connection() -> None:
        nonlocal next_index, errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while next_index < total:
                i = next_index
                next_index += 1
                due = start + i / rate
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(requests[i % len(requests)])
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))  # type: ignore[union-attr]
                await reader.readexactly(length)
                latencies.append((loop.time() - due) * 1000)
                errors += status != 201
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(CONCURRENCY)))
    return total / (loop.time() - start), latencies, errors


def _run_fixed_rate(port: int, requests: list[bytes], rate: float, seconds: float) -> tuple[float, list[float], int]:
    try:
        import uvloop  # the client takes less of the machine on uvloop

        return uvloop.run(_fixed_rate(port, requests, rate, seconds))
    except ImportError:
        return asyncio.run(_fixed_rate(port, requests, rate, seconds))


def _wrk(port: int, token: str, bodies: list[dict], seconds: int, folder: Path) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, non-2xx responses) from wrk with 32 connections."""
    script = folder / "post.lua"
    lines = ["local bodies = {"] + ["[==[" + json.dumps(b) + "]==]," for b in bodies[:200]] + ["}"]
    lines.append("local i = 0")
    lines.append(
        'request = function()\n  i = i + 1\n  return wrk.format("POST", "/option-lists", '
        '{["Content-Type"]="application/json", ["Authorization"]="Bearer ' + token + '"}, '
        "bodies[(i % #bodies) + 1])\nend"
    )
    script.write_text("\n".join(lines))
    base = ["wrk", "-t2", f"-c{CONCURRENCY}", "-s", str(script), "--latency", f"http://127.0.0.1:{port}"]
    subprocess.run([*base[:5], "-d3s", base[-1]], capture_output=True, timeout=60)  # warm-up
    out = subprocess.run([*base, f"-d{seconds}s"], capture_output=True, text=True, timeout=seconds + 60).stdout

    def ms(label: str) -> float:
        m = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out)
        if not m:
            return float("nan")
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, ms("50"), ms("99"), int(bad.group(1)) if bad else 0


SERVERS = {
    # the product: `freechoice serve --workers N` (gunicorn arbiter, uvicorn workers)
    "gunicorn": lambda port, workers: [
        sys.executable,
        "-m",
        "freechoice.api.cli",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ],
    # the baseline: the hand-written least-connections balancer it replaced
    "balancer": lambda port, workers: [
        sys.executable,
        str(Path(__file__).with_name("baseline_balancer.py")),
        str(port),
        str(workers),
    ],
}


def _serve(url: str, workers: int, port: int, log: Path, server: str = "gunicorn") -> subprocess.Popen:
    env = dict(os.environ, FREECHOICE_DATABASE_URL=url)
    proc = subprocess.Popen(SERVERS[server](port, workers), env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit(f"server did not start; see {log}")


def _row(name: str, seconds: float, lat: list[float], errors: int) -> str:
    q = statistics.quantiles(lat, n=100)
    return (
        f"  {name:<34} {len(lat) / seconds:8.1f} lists/s   p50 {q[49]:7.1f} ms   p99 {q[98]:7.1f} ms   errors {errors}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=2000, help="requests per run without wrk")
    ap.add_argument("--seconds", type=int, default=15, help="seconds per run with wrk")
    ap.add_argument("--services", type=int, default=10000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--databases", default="sqlite,postgresql", help="which to run, comma-separated")
    ap.add_argument(
        "--servers",
        default="gunicorn,balancer",
        help="process models to compare, comma-separated: gunicorn (the product), balancer (baseline)",
    )
    ap.add_argument("--rate", type=float, default=300.0, help="option lists per second for the fixed-rate run")
    ap.add_argument(
        "--postgres",
        default=os.environ.get("FREECHOICE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    )
    args = ap.parse_args()
    bodies = _bodies(args.requests)
    use_wrk = shutil.which("wrk") is not None
    load = (
        f"wrk for {args.seconds} s"
        if use_wrk
        else f"{args.requests} requests from httpx (install wrk for better figures)"
    )
    print(
        f"freechoice over HTTP: POST /option-lists, {CONCURRENCY} concurrent connections ({load}), "
        f"{args.services} generated services, {args.workers} uvicorn workers, loopback"
    )

    orgs, svcs = generate_services(args.services)
    catalog, rules = Catalog(orgs, svcs, sample=True), load_rules()
    rules.prepare(catalog)
    assessments = [parse_assessment(b) for b in bodies]
    lat = []
    t0 = time.perf_counter()
    for a in assessments:
        s = time.perf_counter()
        propose(a, catalog, rules, list_id="ol-bench")
        lat.append((time.perf_counter() - s) * 1000)
    print(_row("in-process propose()", time.perf_counter() - t0, lat, 0))

    tmp = Path(tempfile.mkdtemp(prefix="fc-bench-"))
    wanted = set(args.databases.split(","))
    targets = [("SQLite (WAL)", f"sqlite:///{tmp / 'bench.db'}", None)] if "sqlite" in wanted else []
    schema = "fc_bench_" + uuid.uuid4().hex[:8]
    try:
        if "postgresql" not in wanted:
            raise RuntimeError("not asked for")
        admin = create_engine(args.postgres)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in args.postgres else "?"
        targets.append(("PostgreSQL", f"{args.postgres}{sep}options=-csearch_path%3D{schema}", admin))
    except Exception as err:  # noqa: BLE001
        print(f"  {'PostgreSQL':<34} skipped: {str(err).splitlines()[0]}")
    for name, url, admin in targets:
        token = _prepare(url, args.services)
        for server in args.servers.split(","):
            label = f"{server}, {name}"
            port = _free_port()
            proc = _serve(url, args.workers, port, tmp / f"{server}-{name.split()[0]}.log", server)
            try:
                if use_wrk:
                    rate, p50, p99, errors = _wrk(port, token, bodies, args.seconds, tmp)
                    print(
                        f"  {label + ', flat out':<34} {rate:8.1f} lists/s   p50 {p50:7.1f} ms   "
                        f"p99 {p99:7.1f} ms   errors {errors}"
                    )
                else:
                    asyncio.run(_load(port, token, bodies[: min(100, len(bodies))]))  # warm-up
                    seconds, latencies, errors = asyncio.run(_load(port, token, bodies))
                    print(_row(f"{label}, flat out", seconds, latencies, errors))
                achieved, latencies, errors = _run_fixed_rate(
                    port, _encoded(port, token, bodies), args.rate, args.seconds
                )
                q = statistics.quantiles(latencies, n=100)
                print(
                    f"  {label + f', {args.rate:.0f}/s due':<34} {achieved:8.1f} lists/s   p50 {q[49]:7.1f} ms   "
                    f"p99 {q[98]:7.1f} ms   errors {errors}"
                )
            finally:
                proc.terminate()
                proc.wait(timeout=30)
        if admin is not None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    print("  target: >= 300 option lists/s at 10,000 services, p99 < 100 ms")


if __name__ == "__main__":
    main()
