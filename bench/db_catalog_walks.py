"""What whole-catalog questions cost a database-backed catalog (``DatabaseCatalog``).

``python bench/db_catalog_walks.py [--services 200000]`` loads generated services into a
fresh PostgreSQL schema (the bulk loader of ``bench/catalog_million.py``), then prints:

- ``lifted_edges``: the former query (``SELECT DISTINCT unnest(lifted)`` over the active
  rows, once per call: what every graph-changing service write paid) beside the kept
  answer (one aggregate per ``graph_revision``, then none) and ``without=`` (one read by
  primary key), with PostgreSQL's plan of the aggregate;
- a walk over every service (``iter()``, a page of 1,000 at a time, what the HSDS reads
  and import checks do on a database worker) and over every id (``ids()``), with the
  worker's resident memory before and after.

Figures are indicative: the machine is shared with other work.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from catalog_million import PG, _rss_mb, load
from http_throughput import bench_database
from sqlalchemy import func, select, text

from freechoice.catalog.db import Database, DatabaseCatalog
from freechoice.catalog.db.tables import ServiceRow


def _ms(f, times: int = 5) -> float:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(times):
        t0 = time.perf_counter()
        f()
        out.append((time.perf_counter() - t0) * 1000)
    return statistics.median(out)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--services", type=int, default=200_000)
    p.add_argument("--postgres", default=PG)
    args = p.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (shared; figures indicative)")
    with tempfile.TemporaryDirectory() as tmp, bench_database("postgresql", args.postgres, Path(tmp), "walks") as url:
        loaded = load(url, args.services)
        print(f"loaded {args.services:,} services in {loaded['load_seconds']:.0f} s")
        db = Database(url)
        try:
            cat = DatabaseCatalog(db, cache_size=1000)
            old = select(func.unnest(ServiceRow.lifted)).where(ServiceRow.active.is_(True)).distinct()

            def former() -> None:
                with db.session() as s:
                    set(s.scalars(old))

            def cold() -> None:
                cat._lifted_kept = None
                cat.lifted_edges()

            some = db.engine.connect().scalar(
                select(ServiceRow.id).where(ServiceRow.active.is_(True), func.cardinality(ServiceRow.lifted) > 0)
            )
            edges = cat.lifted_edges()
            print(f"\nlifted_edges ({len(edges)} edges), median of 5, ms:")
            print(f"  former DISTINCT unnest, each call    {_ms(former):9.1f}")
            print(f"  kept answer, first after a change    {_ms(cold):9.1f}")
            print(f"  kept answer, then                    {_ms(cat.lifted_edges):9.3f}")
            print(f"  without=<a service>, kept            {_ms(lambda: cat.lifted_edges(without=some)):9.3f}")
            with db.engine.connect() as conn:
                plan = conn.execute(
                    text(
                        "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT e, count(*) FROM "
                        "(SELECT unnest(lifted) AS e FROM services WHERE active) q GROUP BY e"
                    )
                ).scalars()
                print("  plan of the aggregate:\n    " + "\n    ".join(plan))

            rss = _rss_mb()
            t0 = time.perf_counter()
            n = sum(1 for _ in cat)
            walked = time.perf_counter() - t0
            print(f"\niter(): {n:,} services in {walked:.1f} s; RSS {rss:.0f} -> {_rss_mb():.0f} MB")
            t0 = time.perf_counter()
            n = sum(1 for _ in cat.ids())
            print(f"ids(): {n:,} ids in {time.perf_counter() - t0:.2f} s; RSS {_rss_mb():.0f} MB")
            middle = n // 2

            def hsds_page() -> None:  # what GET /hsds/services?page=<middle> without search asks
                cat.count_where()
                list(cat.services_where(offset=middle, limit=50))

            def org_page() -> None:  # ... with organization_id=<one organisation>
                cond = ServiceRow.organization_id == "gen-org-000001"
                cat.count_where(cond)
                list(cat.services_where(cond, offset=0, limit=50))

            print(f"HSDS page of 50 in the middle (count + page), ms: {_ms(hsds_page):.1f}")
            print(f"HSDS page of 50 of one organisation, ms: {_ms(org_page):.1f}")
        finally:
            db.dispose()


if __name__ == "__main__":
    main()
