"""In-database retrieval at 1,000,000 services, side by side with in-memory at 1,000, in one run.

Generates ``--services`` fictional services (default 1,000,000) into a fresh PostgreSQL
schema (bulk load: COPY in batches, the GIN indexes built after; the time is printed),
then, each in a process of its own (so its memory is its own):

* option lists (bounded at ``--limit`` options per need, as the service makes them;
  ``--limit 0``: every option) for the demo cohort's clients (located in the generated places): p50/p95
  with in-database retrieval (``DatabaseCatalog``, cold cache, then warm) at ``--services``
  and at 1,000, beside in-memory retrieval (the indexed ``Catalog``) at 1,000 (the baseline);
* worker memory: resident set size of each such process after its lists; at
  ``--services`` once per ``--cache-size`` given (the worker's card cache,
  ``FREECHOICE_CATALOG_CACHE_SIZE``; default 50,000), to see what the cache costs;
* change latency: a capacity change committed by a writer (the write's transaction:
  row read for update, new version, retrieval columns, version sum, NOTIFY), and the time
  until a second worker process, following by LISTEN/NOTIFY, has refreshed and answers
  with the new record.

Bench data skip ``service_versions`` (history is not read by retrieval). Not part of the
test suite; the 1,000,000 run takes minutes (generating and loading the catalog).

    python bench/catalog_million.py [--services 1000000] [--clients 200] [--limit 10] [--cache-size 50000 [20000 ...]]
                                    [--postgres URL]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from http_throughput import bench_database
from sqlalchemy import select, text

from freechoice.catalog import Capacity, Catalog, Location, Service, ServiceArea
from freechoice.catalog.db import Database, DatabaseCatalog, import_catalog, save_service
from freechoice.catalog.db.retrieval_columns import organization_digest, service_columns
from freechoice.catalog.db.tables import CatalogState, ServiceRow
from freechoice.catalog.generate import GENERATED_PLACES, generate_catalog, generate_services
from freechoice.catalog.index import version_term
from freechoice.engine import load_rules, parse_assessment, propose
from freechoice.engine.cohort import synthetic_assessment_dicts

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BATCH = 50_000
CHANGES = 20
_COLUMNS = (
    "id",
    "organization_id",
    "status",
    "version",
    "revision",
    "data",
    "updated_at",
    "updated_by",
    "active",
    "kinds",
    "place_keys",
    "languages",
    "interpretation",
    "lifted",
    "digest",
)


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _pg_array(values: list[str]) -> str:
    return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


def _copy_value(v: object) -> str:
    if v is None:
        return "\\N"
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, list):
        v = _pg_array(v)
    return str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def load(url: str, n: int) -> dict[str, float]:
    """``n`` generated services into the (migrated) database at ``url``: organisations by
    the ordinary import, services by COPY in batches of 50,000 with their retrieval columns
    and the version's running sum, GIN indexes dropped before and built after."""
    db = Database(url)
    db.upgrade()
    n_orgs = max(1, n // 20)
    places = list(GENERATED_PLACES)
    countries = ["TH", "MM", "KH", "LA"]
    places += [(countries[k % 4], f"District {k + 1}") for k in range(max(0, n // 50 - len(places)))]
    orgs, _ = generate_services(1, orgs=n_orgs, places=places)
    with db.writing() as s:
        import_catalog(s, orgs, [], actor="bench")
        s.execute(text("UPDATE catalog_state SET revision = revision + 1 WHERE id = 1"))
        rev = int(s.scalar(select(CatalogState.revision)) or 1)
    total = sum(version_term("o", o.id, organization_digest(o)) for o in orgs)
    started = time.perf_counter()
    gen_seconds = 0.0
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        for name in ("kinds", "place_keys", "languages"):
            cur.execute(f"DROP INDEX IF EXISTS ix_services_{name}")
        cur.execute("DROP INDEX IF EXISTS ix_services_active")
        raw.commit()
        done = 0
        t0 = time.perf_counter()
        # one generated batch, copied with new ids and places (validation once, not per service)
        _o, base = generate_services(min(BATCH, n), seed=1, orgs=n_orgs, places=places)
        where = {
            (c, a): (Location(country=c, area=a), [ServiceArea(country=c, area=a)], [ServiceArea(country=c, area=None)])
            for c, a in places
        }
        gen_seconds += time.perf_counter() - t0
        while done < n:
            size = min(BATCH, n - done)
            t0 = time.perf_counter()
            buf = io.StringIO()
            for i in range(size):
                k = done + i
                svc = base[i]
                loc, areas, country_wide = where[places[(k * 7919) % len(places)]]
                svc = svc.model_copy(
                    update={
                        "id": f"gen-svc-{k:07d}",
                        "name": f"Generated service {k}",
                        "organization_id": f"gen-org-{k % n_orgs:06d}",
                        "location": None if svc.remote else loc,
                        "service_areas": country_wide if svc.remote else areas,
                    }
                )
                dumped = svc.model_dump_json()
                cols = service_columns(svc, dumped)
                total += version_term("s", svc.id, cols["digest"])
                row = {
                    "id": svc.id,
                    "organization_id": svc.organization_id,
                    "status": svc.status,
                    "version": 1,
                    "revision": rev,
                    "data": dumped,
                    "updated_at": "2026-12-02 00:00:00+00",
                    "updated_by": "bench",
                    **cols,
                }
                buf.write("\t".join(_copy_value(row[c]) for c in _COLUMNS) + "\n")
            gen_seconds += time.perf_counter() - t0
            with cur.copy(f"COPY services ({', '.join(_COLUMNS)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                copy.write(buf.getvalue())
            raw.commit()
            done += size
            print(f"  loaded {done:,} services ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
        copied = time.perf_counter() - started
        t0 = time.perf_counter()
        for name in ("kinds", "place_keys", "languages"):
            cur.execute(f"CREATE INDEX ix_services_{name} ON services USING gin ({name})")
        cur.execute("CREATE INDEX ix_services_active ON services (active)")
        cur.execute("UPDATE catalog_state SET version_sum = %s WHERE id = 1", (f"{total % (1 << 256):064x}",))
        raw.commit()
        cur.execute("ANALYZE services")
        raw.commit()
        indexed = time.perf_counter() - t0
    finally:
        raw.close()
        db.dispose()
    return {"load_seconds": copied, "generate_seconds": gen_seconds, "index_seconds": indexed}


def _clients(n: int) -> list[dict]:
    th = [p for p in GENERATED_PLACES if p[0] == "TH"]
    out = []
    for i, d in enumerate(synthetic_assessment_dicts(n, seed=99)):
        country, area = th[i % len(th)]
        d["situation"]["location"] = {"country": country, "area": area}
        out.append(d)
    return out


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000


# ---------------------------------------------------------------------------- child processes
def child_lists(mode: str, url: str, clients: int, services: int, cache_size: int, limit: int | None) -> None:
    """One worker: option lists for the cohort, printed as JSON (times, RSS)."""
    rules = load_rules()
    assessments = [parse_assessment(d) for d in _clients(clients)]
    started = time.perf_counter()
    catalog: Catalog
    if mode == "memory":
        catalog = generate_catalog(services)
        rules.prepare(catalog)
    else:
        catalog = DatabaseCatalog(Database(url), cache_size=cache_size)
    opened = time.perf_counter() - started
    out: dict[str, object] = {"open_seconds": opened, "rss_mb_open": _rss_mb()}
    for label in ("cold", "warm"):
        times, sizes = [], []
        for a in assessments:
            t0 = time.perf_counter()
            ol = propose(a, catalog, rules, limit=limit)
            times.append(time.perf_counter() - t0)
            sizes.append(sum(len(n.options) for n in ol.needs))
        out[label] = {"p50": _pct(times, 0.5), "p95": _pct(times, 0.95), "options": statistics.median(sizes)}
    out["rss_mb"] = _rss_mb()
    out["cached"] = catalog.held()
    print(json.dumps(out), flush=True)


def child_follow(url: str) -> None:
    """A second worker: follows by LISTEN/NOTIFY; prints when it holds each new record."""
    from freechoice.api.listen import ChangeListener
    from freechoice.catalog.db import CATALOG_CHANNEL

    catalog = DatabaseCatalog(Database(url))
    watched = sys.stdin.readline().strip()
    catalog.get(watched)  # cached: the change must evict it

    def on_change(_payload: str | None) -> None:
        rev = catalog.refresh()
        svc = catalog.get(watched)
        status = svc.capacity.status if svc is not None and svc.capacity is not None else None
        print(json.dumps({"revision": rev, "status": status, "at": time.time()}), flush=True)

    listener = ChangeListener(url, CATALOG_CHANNEL, on_change).start()
    listener.connected.wait(30)
    print(json.dumps({"ready": True}), flush=True)
    sys.stdin.readline()  # until the parent closes
    listener.stop()


def _run_child(args: list[str]) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench child failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def changes(url: str) -> dict[str, float]:
    db = Database(url)
    with db.session() as s:
        sid = s.scalar(select(ServiceRow.id).where(ServiceRow.active.is_(True)).order_by(ServiceRow.id).limit(1))
    assert sid is not None
    follower = subprocess.Popen(
        [sys.executable, __file__, "--child-follow", url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert follower.stdin is not None and follower.stdout is not None
    follower.stdin.write(sid + "\n")
    follower.stdin.flush()
    while not json.loads(follower.stdout.readline()).get("ready"):
        pass
    answer, seen = [], []
    for k in range(CHANGES):
        status = ("full", "open")[k % 2]
        t0 = time.perf_counter()
        with db.writing() as s:
            row = s.get(ServiceRow, sid, with_for_update=True)
            assert row is not None
            svc = Service.model_validate(row.data)
            save_service(s, svc.model_copy(update={"capacity": Capacity(status=status)}), "bench", "capacity")
        committed = time.time()
        answer.append(time.perf_counter() - t0)
        while True:  # the follower's lines until it holds the new status
            line = json.loads(follower.stdout.readline())
            if line.get("status") == status:
                seen.append(line["at"] - committed)
                break
        time.sleep(0.1)
    follower.stdin.close()
    follower.wait(30)
    db.dispose()
    return {
        "answer_p50": _pct(answer, 0.5),
        "answer_max": max(answer) * 1000,
        "seen_p50": _pct(seen, 0.5),
        "seen_max": max(seen) * 1000,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--services", type=int, default=1_000_000)
    p.add_argument("--clients", type=int, default=200)
    p.add_argument("--postgres", default=PG)
    p.add_argument(
        "--cache-size",
        type=int,
        nargs="+",
        default=[50_000],
        help="in-database worker card cache sizes to measure at --services (default 50000)",
    )
    p.add_argument(
        "--limit",
        type=int,
        default=10,
        help="options per need, as the service's FREECHOICE_OPTION_LIMIT (default 10); 0: every option",
    )
    p.add_argument("--child-lists", nargs=3, metavar=("MODE", "URL", "SERVICES"))
    p.add_argument("--child-follow", metavar="URL")
    args = p.parse_args()
    if args.child_lists:
        mode, url, services = args.child_lists
        child_lists(mode, url, args.clients, int(services), args.cache_size[0], args.limit or None)
        return
    if args.child_follow:
        child_follow(args.child_follow)
        return

    print(f"machine: {os.cpu_count()} cores, shared with other work (figures are indicative)")
    with (
        tempfile.TemporaryDirectory() as tmp,
        bench_database("postgresql", args.postgres, Path(tmp), "indb_big") as big,
    ):
        with bench_database("postgresql", args.postgres, Path(tmp), "indb_small") as small:
            print(f"loading {args.services:,} generated services into PostgreSQL ...", flush=True)
            loaded = load(big, args.services)
            print(
                f"bulk load: {loaded['load_seconds']:.0f} s for {args.services:,} services "
                f"({args.services / loaded['load_seconds']:,.0f}/s; of which generating and serialising "
                f"{loaded['generate_seconds']:.0f} s), GIN indexes built in {loaded['index_seconds']:.0f} s"
            )
            load(small, 1000)
            clients = ["--clients", str(args.clients), "--limit", str(args.limit)]
            rows = [
                ("in-memory, 1,000 (baseline)", _run_child(["--child-lists", "memory", "-", "1000", *clients])),
                ("in-database, 1,000", _run_child(["--child-lists", "database", small, "1000", *clients])),
            ]
            for size in args.cache_size:
                print(f"  option lists at {args.services:,}, cache {size:,} ...", file=sys.stderr, flush=True)
                r = _run_child(
                    ["--child-lists", "database", big, str(args.services), *clients, "--cache-size", str(size)]
                )
                print(f"  {json.dumps(r)}", file=sys.stderr, flush=True)
                rows.append((f"in-database, {args.services:,}, cache {size:,}", r))
            print(
                f"\noption lists, {args.clients} demo-cohort clients, limit {args.limit or 'none'} (ms; cold: the worker's first lists)"
            )
            print(
                f"{'retrieval, services':40} {'p50':>7} {'p95':>7} {'cold p95':>9} {'options':>8} {'RSS MB':>7} {'cached':>7} {'open s':>7}"
            )
            for name, r in rows:
                print(
                    f"{name:40} {r['warm']['p50']:7.1f} {r['warm']['p95']:7.1f} {r['cold']['p95']:9.1f} "
                    f"{r['warm']['options']:8.0f} {r['rss_mb']:7.0f} {r['cached']:7d} {r['open_seconds']:7.2f}"
                )
            base = rows[0][1]["warm"]["p95"]
            for name, r in rows[2:]:
                print(f"p95 {name} / in-memory at 1,000: {r['warm']['p95'] / base:.1f}x")
            c = changes(big)
            print(
                f"\ncapacity change at {args.services:,} ({CHANGES} changes): committed in {c['answer_p50']:.1f} ms "
                f"median ({c['answer_max']:.1f} max); a second worker holds it {c['seen_p50']:.1f} ms after the commit "
                f"median ({c['seen_max']:.1f} max), by LISTEN/NOTIFY"
            )


if __name__ == "__main__":
    main()
