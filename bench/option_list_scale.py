"""Option lists at national scale: generated catalogs of 1,000 and 100,000 services, the
demo cohort's clients, one process, side by side (issue 14, first row). Each client's
list is made on every catalog in turn, so the machine's load falls on all sizes alike.

For each catalog size it prints p50/p95 of one option list (``propose``), options per
list (median, max) and the list's size in KB (its JSON), bounded (the first ``--limit``
options per need, the rest paged) and unbounded (every option built, as before), then
the ratio of 100k to 1k. Goal: bounded p95 at 100,000 services at most 2x the p95 at
1,000.

The catalogs are frozen out of the garbage collector's walks and its thresholds set as
the service sets them in every worker (``api/state.py``); ``--gc default`` measures with
Python's defaults instead (full collections then walk the whole catalog, which costs the
large catalog far more than the small one).

``--clock cpu`` times each list in CPU time of the thread (``time.thread_time``: the time
the process waits for a core is not counted, so a busy machine skews the ratio less;
other work on the sibling core still slows every instruction somewhat).

    python bench/option_list_scale.py [--sizes 1000 100000] [--limit 10] [--rounds 3] [--gc server|default] [--clock wall|cpu]
"""

from __future__ import annotations

import argparse
import gc
import platform
import statistics
import time
from dataclasses import dataclass

from freechoice.catalog import Catalog
from freechoice.catalog.generate import generate_services
from freechoice.engine import CompiledRules, load_rules, options_page, propose
from freechoice.engine.assessment import Assessment
from freechoice.engine.cohort import synthetic_cohort


@dataclass
class Run:
    times_ms: list[float]
    options: list[int]  # options built per list (all needs)
    kb: list[float]

    def p(self, q: int) -> float:
        return statistics.quantiles(self.times_ms, n=100)[q - 1]


CLOCK = time.perf_counter


def _measure(
    catalogs: list[Catalog], rules: CompiledRules, clients: list[Assessment], limit: int | None, rounds: int
) -> list[Run]:
    """Each client's list on every catalog in turn (interleaved: a busy moment of the
    machine falls on every size alike, so the ratio stays fair)."""
    runs = [Run([], [], []) for _ in catalogs]
    for r in range(rounds):
        for a in clients:
            for catalog, run in zip(catalogs, runs, strict=True):
                t0 = CLOCK()
                ol = propose(a, catalog, rules, limit=limit)
                run.times_ms.append((CLOCK() - t0) * 1000)
                if r == 0:
                    run.options.append(sum(len(n.options) for n in ol.needs))
                    run.kb.append(len(ol.model_dump_json()) / 1024)
    return runs


def _page_ms(catalog: Catalog, rules: CompiledRules, clients: list[Assessment], limit: int) -> list[float]:
    """Reading the second page of every paged need (built when read)."""
    out = []
    for a in clients:
        ol = propose(a, catalog, rules, limit=limit)
        for n in ol.needs:
            if n.more is not None:
                t0 = CLOCK()
                options_page(ol, a, catalog, rules, n.need, cursor=n.more.cursor, count=limit)
                out.append((CLOCK() - t0) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    ap.add_argument("--limit", type=int, default=10, help="options shown per need (the API's option_limit)")
    ap.add_argument("--rounds", type=int, default=3, help="times the cohort is run per catalog")
    ap.add_argument("--cohort", type=int, default=117, help="clients in the demo cohort (make demo's default)")
    ap.add_argument(
        "--gc",
        choices=["server", "default"],
        default="server",
        help="garbage collector set up as the service's workers do (default) or Python's defaults",
    )
    ap.add_argument("--clock", choices=["wall", "cpu"], default="wall", help="wall clock or the thread's CPU time")
    args = ap.parse_args()
    global CLOCK
    CLOCK = time.thread_time if args.clock == "cpu" else time.perf_counter
    rules = load_rules()
    clients = synthetic_cohort(args.cohort, 2016)
    print(f"freechoice option lists at scale: {len(clients)} demo-cohort clients x {args.rounds} rounds, one process")
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}")
    catalogs = []
    for size in args.sizes:
        t0 = time.perf_counter()
        orgs, services = generate_services(size)
        catalog = Catalog(orgs, services, sample=True, name=f"generated catalog ({size} services)")
        rules.prepare(catalog)
        catalogs.append(catalog)
        print(f"  {size:>7} services generated and prepared in {time.perf_counter() - t0:.1f} s")
    if args.gc == "server":  # as api/state.py does once the catalog is loaded
        gc.collect()
        gc.freeze()
        gc.set_threshold(5000, 20, 100)
    print(f"garbage collector: {'as the service sets it (catalog frozen)' if args.gc == 'server' else 'defaults'}")
    print(f"clock: {'CPU time of the thread' if args.clock == 'cpu' else 'wall clock'}")
    _measure(catalogs, rules, clients[:20], args.limit, 1)  # warm-up
    _measure(catalogs, rules, clients[:20], None, 1)
    bounded = _measure(catalogs, rules, clients, args.limit, args.rounds)
    unbounded = _measure(catalogs, rules, clients, None, args.rounds)
    results: dict[int, tuple[Run, Run, list[float]]] = {
        size: (bounded[i], unbounded[i], _page_ms(catalogs[i], rules, clients, args.limit))
        for i, size in enumerate(args.sizes)
    }

    head = f"{'':<34}" + "".join(f"{f'{s:,} services':>18}" for s in args.sizes)
    print()
    print(head)

    def row(label: str, values: list[str]) -> None:
        print(f"{label:<34}" + "".join(f"{v:>18}" for v in values))

    for name, idx in ((f"bounded (limit {args.limit})", 0), ("unbounded (every option)", 1)):
        print(name)
        runs = [results[s][idx] for s in args.sizes]
        row("  p50 option list", [f"{r.p(50):.1f} ms" for r in runs])
        row("  p95 option list", [f"{r.p(95):.1f} ms" for r in runs])
        row("  options per list (median, max)", [f"{statistics.median(r.options):g}, {max(r.options)}" for r in runs])
        row("  list size KB (median, max)", [f"{statistics.median(r.kb):.0f}, {max(r.kb):.0f}" for r in runs])
    pages = [results[s][2] for s in args.sizes]
    row(
        "second page of a need, p95",
        [f"{statistics.quantiles(p, n=100)[94]:.1f} ms" if len(p) > 1 else "-" for p in pages],
    )
    if len(args.sizes) >= 2:
        small, large = args.sizes[0], args.sizes[-1]
        print()
        for name, idx in (("bounded", 0), ("unbounded", 1)):
            ratio = results[large][idx].p(95) / results[small][idx].p(95)
            print(f"p95 at {large:,} / p95 at {small:,}, {name}: {ratio:.1f}x")
        ratio = results[large][0].p(95) / results[small][0].p(95)
        print(f"goal (bounded, at most 2x): {'meets' if ratio <= 2 else 'MISSES'}")


if __name__ == "__main__":
    main()
