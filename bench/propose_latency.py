"""Option-list latency in-process, for generated catalogs of 1,000 and 10,000 services.

Prints p50/p95/max per catalog size for the indexed engine, side by side with a
baseline that retrieves candidates by scanning the whole catalog, and how many
services one request touched. Target: p95 under 10 ms at 10,000 services.

    python bench/propose_latency.py [--requests 400] [--sizes 1000 10000]
"""

from __future__ import annotations

import argparse
import statistics
import time

from freechoice.catalog import Catalog
from freechoice.catalog.codes import normalise_area
from freechoice.catalog.generate import GENERATED_PLACES, generate_services
from freechoice.engine import load_rules, parse_assessment, propose
from freechoice.engine.cohort import synthetic_assessment_dicts


class ScanningCatalog(Catalog):
    """Baseline: the same catalog, but candidate retrieval scans every service."""

    def candidates(self, kinds, places):  # type: ignore[override]
        kinds = set(kinds)
        want = [(c, normalise_area(a)) for c, a in places]
        out = set()
        for svc in self:
            if svc.status != "active" or not kinds.intersection(svc.kinds):
                continue
            for c, a in svc.places():
                if any(c == wc and (svc.remote or a is None or normalise_area(a) == wa) for wc, wa in want):
                    out.add(svc.id)
                    break
        return out


class CountingCatalog(Catalog):
    touched = 0

    def candidates(self, kinds, places):  # type: ignore[override]
        found = super().candidates(kinds, places)
        self.touched += len(found)
        return found


def _clients(n: int):
    rng_places = [p for p in GENERATED_PLACES if p[0] == "TH"]
    out = []
    for i, d in enumerate(synthetic_assessment_dicts(n, seed=99)):
        country, area = rng_places[i % len(rng_places)]
        d["situation"]["location"] = {"country": country, "area": area}
        out.append(parse_assessment(d))
    return out


def _measure(catalog: Catalog, rules, clients) -> list[float]:
    times = []
    for a in clients:
        t0 = time.perf_counter()
        propose(a, catalog, rules)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def _fmt(times: list[float]) -> str:
    q = statistics.quantiles(times, n=100)
    return f"p50 {q[49]:7.2f} ms   p95 {q[94]:7.2f} ms   max {max(times):7.2f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--per-area", type=int, default=50, help="generated services per area (density)")
    args = ap.parse_args()
    rules = load_rules()
    clients = _clients(args.requests)
    print(f"freechoice propose() latency, {args.requests} requests per run, in-process, one thread")
    for size in args.sizes:
        orgs, services = generate_services(size, per_area=args.per_area)
        indexed = CountingCatalog(orgs, services, sample=True)
        scanning = ScanningCatalog(orgs, services, sample=True)
        t0 = time.perf_counter()
        rules.prepare(indexed)
        prep = time.perf_counter() - t0
        _measure(indexed, rules, clients[:20])  # warm-up
        _measure(scanning, rules, clients[:5])
        indexed.touched = 0
        fast = _measure(indexed, rules, clients)
        per_request = indexed.touched / len(clients)
        slow = _measure(scanning, rules, clients[: max(20, len(clients) // 4)])
        print(f"\n{size:>6} services, about {args.per_area} per area (rule tags prepared in {prep:.2f} s)")
        print(f"  indexed  : {_fmt(fast)}   candidates touched per request: {per_request:.0f} of {size}")
        print(f"  baseline : {_fmt(slow)}   (full scan per retrieval)")
        options = statistics.mean(sum(len(n.options) for n in propose(a, indexed, rules).needs) for a in clients[:50])
        print(f"  options per list: {options:.0f} on average")
        if size >= 10000:
            verdict = "meets" if statistics.quantiles(fast, n=100)[94] < 10 else "MISSES"
            print(f"  target p95 < 10 ms at 10,000 services: {verdict}")


if __name__ == "__main__":
    main()
