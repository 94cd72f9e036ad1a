"""``GET /services?limit=100`` against catalog size: the first page, a page deep in the
list (reached through its cursor) and a ``kind`` filter, side by side with the
1,000-service baseline. Cursor pages read only the page from the database, so the
times stay flat as the catalog grows.

    python bench/list_pages.py [--sizes 1000,100000] [--db sqlite|postgresql] [--repeat 30]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from http_throughput import bench_database

from freechoice.api import Settings, create_app
from freechoice.api.auth import create_key
from freechoice.catalog import Organization
from freechoice.catalog.db import Database, import_catalog, save_organization
from freechoice.catalog.generate import generate_services

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _prepare(url: str, services: int) -> str:
    db = Database(url)
    db.upgrade()
    orgs, svcs = generate_services(services)
    with db.writing() as s:
        import_catalog(s, orgs, svcs, actor="bench")
        save_organization(s, Organization(id="org-bench-admin", name="Bench admin (fictional)"), "bench")
        token = create_key(s, "org-bench-admin", "admin", created_by="bench")[1]
    db.engine.dispose()
    return token


def _ms(client: TestClient, url: str, headers: dict[str, str], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        r = client.get(url, headers=headers)
        times.append((time.perf_counter() - start) * 1000)
        assert r.status_code == 200, r.text
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def _measure(url: str, services: int, repeat: int) -> dict[str, tuple[float, float]]:
    token = _prepare(url, services)
    headers = {"Authorization": f"Bearer {token}"}
    app = create_app(Settings(database_url=url, auto_migrate=False, retention_interval_seconds=0))
    with TestClient(app) as client:
        first = client.get("/services?limit=100", headers=headers).json()
        kind = first["items"][0]["kinds"][0]
        page, hops = first, 0
        while page["next"] and hops < services // 200:  # half-way through the list
            page, hops = client.get(page["next"], headers=headers).json(), hops + 1
        deep = page["next"] or "/services?limit=100"
        return {
            "first page": _ms(client, "/services?limit=100", headers, repeat),
            "deep page": _ms(client, deep, headers, repeat),
            "kind filter": _ms(client, f"/services?limit=100&kind={kind}", headers, repeat),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--postgres", default=PG)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            with bench_database(args.db, args.postgres, Path(folder), f"list{n}") as url:
                results[n] = _measure(url, n, args.repeat)
    base = results[sizes[0]]
    print(f"GET /services?limit=100 on {args.db}: p50 / p95 ms (x p50 at {sizes[0]:,} services)")
    for n, figures in results.items():
        cells = [f"{what} {p50:.1f} / {p95:.1f} (x{p50 / base[what][0]:.1f})" for what, (p50, p95) in figures.items()]
        print(f"{n:>9,} services: " + "; ".join(cells))


if __name__ == "__main__":
    main()
